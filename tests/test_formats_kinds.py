"""One realistic small file per export kind, in its vendor layout (docs/vendor-formats.md), read end
to end.

Each test writes the file as the vendor (or Excel) would, ingests it into a temporary DuckDB and
asserts the parsed values: row counts, durations in seconds, dates and municipality codes.
"""

from __future__ import annotations

import datetime as dt

import pytest
from fixture_files import ingest_file, ingest_fixture, write_zip
from ingest_helpers import build_staging, counts, ingest_one, quarantine, rows

from assets.raw.recognise import Miss, recognise
from assets.raw.sources import Source
from schemas import contract_for, load_contracts

pytestmark = pytest.mark.unit

D = dt.date
T = dt.datetime


def test_telia_video_rooms_swedish_cp1252_title_block_and_summa_row(tmp_path):
    con, record = ingest_fixture(tmp_path, "telia_videomote_2014.csv")
    assert counts(record) == ("telia_video_rooms", 3, 3)
    assert record["status"] == "loaded"
    assert rows(
        con,
        "select source_line, municipality_code, month, room, meetings, duration_s, "
        "avg_participants from raw.telia_video_rooms order by source_line",
    ) == [
        (6, "2080", D(2014, 1, 1), "Falun Stadshuset VR1", 12, 14.5 * 3600, 3.2),
        (7, "2081", D(2014, 1, 1), "Borlänge Rådhuset Stora", 9, 10 * 3600 + 300, 4.0),
        (8, "2080", D(2014, 2, 1), "Falun Stadshuset VR2", 1153, 1377 * 3600 + 35 * 60, 2.5),
    ]


# Exports that load as their vendor wrote them: the file's ops.files fields, then its raw rows.
LOADED = [
    pytest.param(
        "telia_en.csv",
        {"rows_loaded": 3},
        "select month, municipality_code, meetings, duration_s from raw.telia_video_rooms "
        "order by month",
        [
            (D(2014, 1, 1), "2080", 12, 52200.0),
            (D(2014, 2, 1), "2081", 9, 36300.0),  # attributed by the room alone
            (D(2014, 3, 1), "2081", 3, 3900.0),
        ],
        id="telia_video_rooms_english_headers_and_jan_2014_months",
    ),
    pytest.param(
        "telemote_2016.csv",
        {"export_kind": "telia_conferences", "rows_in": 3, "rows_loaded": 2},
        "select conference_id, municipality_code, start_time, duration_s, participants "
        "from raw.telia_conferences order by 1",
        [
            ("K-1001", "2080", T(2016, 3, 14, 9, 0), 2700.0, 4),
            ("K-1002", "2081", T(2016, 3, 14, 10, 0), 1800.0, 2),
        ],
        id="telia_conferences_by_host_domain",
    ),
    pytest.param(
        "teams_user_activity.csv",
        {"export_kind": "teams_user_activity", "rows_loaded": 3, "rows_quarantined": 0},
        "select municipality_code, report_refresh_date, last_activity_date, is_deleted, "
        "meetings_organized, meetings_attended, audio_s, video_s, report_period "
        "from raw.teams_user_activity order by source_line",
        [
            ("4621", D(2024, 3, 11), D(2024, 3, 10), False, 2, 9, 11525.0, 3720.0, 7),
            ("4621", D(2024, 3, 11), D(2024, 3, 8), False, 0, 1, 2700.0, 0.0, 7),
            # a concealed (MD5) user name: the tenant's name attributes the row
            ("4621", D(2024, 3, 11), None, True, 0, 0, 0.0, 0.0, 7),
        ],
        id="teams_user_activity_graph_csv",
    ),
    pytest.param(
        "odsherred/teams_counts_2024-03.csv",
        {
            "path": "odsherred/teams_counts_2024-03.csv",
            "export_kind": "teams_activity_counts",
            "rows_loaded": 3,
        },
        "select report_date, municipality_code, meetings_organized, audio_s, video_s "
        "from raw.teams_activity_counts order by report_date",
        [
            (D(2024, 3, 8), "306", 20, 58 * 3600 + 12 * 60 + 33.0, 15 * 3600.0),
            (D(2024, 3, 9), "306", 0, 0.0, 0.0),  # empty durations mean zero
            (D(2024, 3, 10), "306", 9, 31 * 3600 + 4 * 60.0, 8 * 3600 + 600.0),
        ],
        id="teams_activity_counts_attributed_by_the_sub_folder",
    ),
    pytest.param(
        "zoom_participants_81234567890.csv",
        {"export_kind": "zoom_participants", "rows_in": 3, "rows_loaded": 3, "rows_quarantined": 0},
        "select source_line, municipality_code, join_time, leave_time, duration_s, guest "
        "from raw.zoom_participants order by source_line",
        [
            (5, "2081", T(2024, 3, 11, 9, 0, 4), T(2024, 3, 11, 10, 2, 55), 3780.0, False),
            (6, "2081", T(2024, 3, 11, 9, 6, 40), T(2024, 3, 11, 13, 41), 2100.0, False),
            # a guest without e-mail: the host in the meeting block names the municipality
            (7, "2081", T(2024, 3, 11, 9, 43, 12), T(2024, 3, 11, 10, 2, 55), 1200.0, True),
        ],
        id="zoom_participants_two_blocks",
    ),
    pytest.param(
        "zoom_unique.csv",
        {"rows_loaded": 2},
        "select municipality_code, duration_s from raw.zoom_participants order by 2",
        [("2062", 2460.0), ("2062", 3780.0)],
        id="zoom_unique_users_total_duration_minutes",
    ),
    pytest.param(
        "webex_moten_2024-03.csv",
        {"export_kind": "webex_usage", "rows_loaded": 2},
        "select session_id, municipality_code, meeting_date, duration_s, invited, attended "
        "from raw.webex_usage order by session_id",
        [
            ("27450012345", "2085", D(2024, 3, 11), 3720.0, 14, 12),
            ("27450012399", "2085", D(2024, 3, 12), 1080.0, 1, 2),
        ],
        id="webex_usage_swedish_headers_with_colons_utf16le_tab",
    ),
]


@pytest.mark.parametrize(("fixture", "fields", "sql", "expected"), LOADED)
def test_an_export_loads_as_its_vendor_wrote_it(tmp_path, fixture, fields, sql, expected):
    con, record = ingest_fixture(tmp_path, fixture)
    assert {name: record[name] for name in fields} == fields
    assert rows(con, sql) == expected


def test_telia_conferences_quarantine_the_host_no_municipality_owns(tmp_path):
    con, _ = ingest_fixture(tmp_path, "telemote_2016.csv")
    [(line, column, _, reason)] = quarantine(con)
    assert (line, column) == (4, "host") and reason.startswith("no municipality found")


def test_zoom_participants_quarantine_nothing(tmp_path):
    con, _ = ingest_fixture(tmp_path, "zoom_participants_81234567890.csv")
    assert quarantine(con) == []


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "resor_falun.csv",
            [
                ("2080", D(2015, 3, 2), "Möte", 52.0, "Egen bil", 1287.5, "SEK", True),
                ("2080", D(2015, 3, 5), "Kurs", 460.5, "Tåg", 1174.0, "SEK", False),
            ],
        ),
        (
            "reiser_kristiansand.csv",
            [
                ("1001", D(2016, 3, 11), "Møte", 140.0, "Privatbil", 588.0, "NOK", True),
                ("4204", D(2021, 6, 15), "Møte", 320.0, "Tog", 1200.0, "NOK", True),
            ],
        ),
        (
            "rejser_odsherred.csv",
            [("306", D(2015, 3, 11), "Møde", 38.0, "Egen bil", 1133.0, "DKK", True)],
        ),
    ],
    ids=["sv", "no", "da"],
)
def test_travel_claims_in_swedish_norwegian_and_danish(tmp_path, name, expected):
    con, record = ingest_fixture(tmp_path, name)
    assert record["export_kind"] == "travel_claims"
    assert record["rows_in"] == record["rows_loaded"] == len(expected)
    build_staging(con, load_contracts())
    assert (
        rows(
            con,
            "select municipality_code, trip_date, purpose, distance_km, mode, cost, currency, "
            "is_meeting from staging.trips order by trip_date",
        )
        == expected
    )


ATTENDANCE = (
    "1. Summary\n"
    "Meeting title\tKommunstyrelsens arbetsutskott\n"
    "Attended participants\t3\n"
    "Start time\t3/11/24, 9:00:12 AM\n"
    "End time\t3/11/24, 10:31:40 AM\n"
    "Meeting duration\t1h 31m 28s\n"
    "Average attendance time\t1h 12m 5s\n"
    "\n"
    "2. Participants\n"
    "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole\n"
    "Lindqvist, Anna\t3/11/24, 9:00:12 AM\t3/11/24, 10:31:40 AM\t1h 31m 28s\t"
    "anna.lindqvist@falun.se\tanna.lindqvist@falun.se\tOrganizer\n"
    "Åsa Öberg (Gäst)\t3/11/24, 9:05:01 AM\t3/11/24, 9:50:00 AM\t44m 59s\t\t\tAttendee\n"
    "Erik Holm\t3/11/24, 1:10:00 PM\t3/11/24, 1:59:00 PM\t49m\terik.holm@falun.se\t"
    "erik.holm@falun.se\tPresenter\n"
    "\n"
    "3. In-Meeting Activities\n"
    "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole\n"
    "Lindqvist, Anna\t3/11/24, 9:00:12 AM\t3/11/24, 10:31:40 AM\t1h 31m 28s\t"
    "anna.lindqvist@falun.se\tOrganizer\n"
)


def test_teams_attendance_utf16_tab_sections(tmp_path):
    con, record = ingest_file(tmp_path, "attendance.csv", ATTENDANCE, "utf-16-le+bom", "\r\n")
    # section 2 only: section 3 repeats people and must not be counted again
    assert counts(record) == ("teams_attendance", 3, 2)
    assert rows(
        con,
        "select source_line, municipality_code, join_time, leave_time, duration_s, role "
        "from raw.teams_attendance order by source_line",
    ) == [
        (11, "2080", T(2024, 3, 11, 9, 0, 12), T(2024, 3, 11, 10, 31, 40), 5488.0, "Organizer"),
        (13, "2080", T(2024, 3, 11, 13, 10), T(2024, 3, 11, 13, 59), 2940.0, "Presenter"),
    ]
    [(line, column, value, reason)] = quarantine(con)
    assert (line, column, value) == (12, "email", "*@?")
    assert "no municipality found" in reason


PSTN = (
    "UsageId,Call ID,Conference ID,User Location,AAD ObjectId,UPN,User Display Name,Caller ID,"
    "Call Type,Number Type,Domestic/International,Destination Dialed,Destination Number,"
    "Start Time,End Time,Duration Seconds,Connection Fee,Charge,Currency,Capability\n"
    "9c4984c7-6c3c-427d-a30c-bd0b2eacee90,1835317186_112562680@61.221.3.176,,SE,db03c14b-1,"
    "anna.lindqvist@falun.se,Anna Lindqvist,+46850000123,user_out_conf,Subscriber,Domestic,"
    "Sweden,+46701234567,2024-03-11T08:02:11.2589935Z,2024-03-11T08:05:50.2589935Z,219,0.00,"
    "0.00,SEK,MCOPSTN1\n"
    "0b6e0000,77f1@10.1.2.3,412345678,SE,,,,+46850000999,ucap_in,TollFree,Domestic,Sweden,"
    "+46850000100,2024-03-11T09:00:04Z,2024-03-11T09:41:10Z,2466,0.00,12.33,SEK,MCOMEETADD\n"
    "1d2f0000,5521@10.1.2.4,,NO,7c2d-2,ola.nordmann@voss.kommune.no,Ola Nordmann,+4721000123,"
    "conf_out,Subscriber,International,Denmark,+4533000123,2024-03-11T10:15:00Z,"
    "2024-03-11T10:16:02Z,62,0.00,0.45,NOK,MCOPSTN2\n"
)


def test_teams_pstn_zip_with_seven_fractional_digits_and_z(tmp_path):
    write_zip(
        tmp_path / "Calls.Export.4f2a9e.zip",
        {"PSTN.calls.2024-03-12.csv": "\ufeff" + PSTN, "parameters.json": '{"from": "x"}'},
    )
    con, record = ingest_one(tmp_path)
    assert (record["part"], record["export_kind"], record["rows_in"]) == (
        "PSTN.calls.2024-03-12.csv",
        "teams_pstn",
        3,
    )
    assert (record["rows_loaded"], record["rows_quarantined"]) == (2, 1)  # the bot call
    assert rows(
        con,
        "select municipality_code, call_type, start_time, end_time, duration_s, charge "
        "from raw.teams_pstn order by start_time",
    ) == [
        (
            "2080",
            "user_out_conf",
            T(2024, 3, 11, 8, 2, 11, 258993),
            T(2024, 3, 11, 8, 5, 50, 258993),
            219.0,
            0.0,
        ),
        ("4621", "conf_out", T(2024, 3, 11, 10, 15), T(2024, 3, 11, 10, 16, 2), 62.0, 0.45),
    ]


def test_lync_sessions_null_literal_and_media_types(tmp_path):
    con, record = ingest_fixture(tmp_path, "lync_sessiondetails.csv")
    assert record["rows_loaded"] == 3
    assert rows(
        con,
        "select session_seq, municipality_code, end_time, media_types, is_conference "
        "from raw.lync_sessions order by source_line",
    ) == [
        (1, "1001", T(2016, 3, 14, 9, 31, 2, 450000), 16, False),
        (2, "1001", None, 16, False),  # the NULL literal is empty, not a bad date
        (1, "1001", T(2016, 3, 14, 10, 5, 11, 893000), 48, True),
    ]
    build_staging(con, load_contracts())
    assert rows(
        con,
        "select platform, media, duration_s, participants from staging.meeting_activity "
        "order by duration_s",
    ) == [
        ("skype_for_business", "video", 244.0, 1),  # a conference: its distinct joiners
        ("skype_for_business", "audio", 1109.0, 2),  # a peer-to-peer call: two people
    ]


def test_pexip_participants_semicolons_quoted_service_tag_and_system_object(tmp_path):
    header = (
        "av_id;bandwidth;bucketed_call_quality;call_direction;call_quality;call_uuid;conference;"
        "conference_name;conversation_id;disconnect_reason;display_name;duration;encryption;"
        "end_time;has_media;historic_call_quality;id;is_streaming;license_count;license_type;"
        "local_alias;media_node;media_streams;parent_id;presentation_id;protocol;proxy_node;"
        "remote_address;remote_alias;remote_port;resource_uri;role;service_tag;service_type;"
        "signalling_node;start_time;system_location;vendor\n"
    )
    con, record = ingest_file(
        tmp_path,
        "pexip_history.csv",
        header + "b1d2ff1;6000;[0, 3, 0, 0, 0];in;good;77397be1;/api/admin/history/v1/conference/"
        "a71e/;VMR Kommunfullmäktige;45df;Remote disconnect;KF-salen SX80;56;On;"
        "2024-03-11T08:47:03.314052;True;[1, 1, 1];b1d2ff1;False;1;port;sip:kf@video.falun.se;"
        "10.0.0.91;System.Object[];;b1d2ff1;SIP;10.40.0.122;192.0.2.10;sip:kf-salen@falun.se;"
        '29421;/api/admin/history/v1/participant/b1d2/;chair;"forvaltning-ks;kf;extern";'
        "conference;10.40.0.122;2024-03-11T08:46:06.549682;SE-STO_transcoding;Cisco/SX80 ce9.15\n"
        "c9a1;2048;[0, 0, 1, 0, 0];in;0_unknown;x;/api/admin/history/v1/conference/a71e/;"
        "VMR Kommunfullmäktige;45df;Call disconnected;Ola (Webapp3);3610;On;"
        "2024-03-11T09:47:00.100001;True;[0, 0, 1];c9a1;False;1;port;kf@falun.se;10.0.0.92;"
        "System.Object[];;;WebRTC;;198.51.100.7;ola;0;x;guest;;conference;10.40.0.122;"
        "2024-03-11T08:46:50.000000;SE-STO_transcoding;Mozilla/5.0\n",
    )
    assert (record["export_kind"], record["rows_loaded"], record["rows_quarantined"]) == (
        "pexip_participants",
        2,
        0,
    )
    assert rows(
        con,
        "select participant_id, municipality_code, duration_s, start_time, role, protocol, "
        "has_media from raw.pexip_participants order by source_line",
    ) == [
        ("b1d2ff1", "2080", 56.0, T(2024, 3, 11, 8, 46, 6, 549682), "chair", "SIP", True),
        ("c9a1", "2080", 3610.0, T(2024, 3, 11, 8, 46, 50), "guest", "WebRTC", True),
    ]


MEETING_DETAILS_HEADER = (
    "Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,"
    "Start Time,End Time,Duration (Minutes),Participants,Name (Original Name),User Email,"
    "Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room\n"
)


def test_zoom_meeting_details_duplicate_headers_go_by_block(tmp_path):
    """Zoom's meetinglistdetails export (docs/vendor-formats.md 3b): "User Email" and
    "Duration (Minutes)" stand twice, for the host's meeting and for the participant; each is read
    in its block."""
    con, record = ingest_file(
        tmp_path,
        "meetinglistdetails_20240601_20240630.csv",
        MEETING_DETAILS_HEADER
        + "Bygglovsmöte,852 1848 6288,Erik Holm,erik.holm@mora.se,Samhällsbyggnad,SBF,No,"
        "15/08/2023 01:27,13/06/2024 09:00,13/06/2024 09:21,22,2,Erik Holm,erik.holm@mora.se,"
        "13/06/2024 09:00,13/06/2024 09:21,21,No,,No\n"
        "Bygglovsmöte,852 1848 6288,Erik Holm,erik.holm@mora.se,Samhällsbyggnad,SBF,No,"
        "15/08/2023 01:27,13/06/2024 09:00,13/06/2024 09:21,22,2,Sökande Karlsson,,"
        "13/06/2024 09:02,13/06/2024 09:21,19,Yes,,No\n"
        "Elevhälsa,914 2211 0087,Mia Berg,mia.berg@borlange.se,Utbildning,UTB,No,"
        "01/02/2024 13:00,14/06/2024 13:00,14/06/2024 13:44,44,3,Mia Berg (Host),"
        "mia.berg@borlange.se,14/06/2024 13:00,14/06/2024 13:44,44,No,,No\n",
        "utf-8-sig",
        "\r\n",
    )
    assert counts(record) == ("zoom_meeting_details", 3, 3)
    assert rows(
        con,
        "select source_line, meeting_id, municipality_code, meeting_duration_s, duration_s, "
        "stated_participants, join_time, guest "
        "from raw.zoom_meeting_details order by source_line",
    ) == [
        (2, "852 1848 6288", "2062", 1320.0, 1260.0, 2, T(2024, 6, 13, 9, 0), False),
        # a guest without an e-mail takes the host's municipality
        (3, "852 1848 6288", "2062", 1320.0, 1140.0, 2, T(2024, 6, 13, 9, 2), True),
        (4, "914 2211 0087", "2081", 2640.0, 2640.0, 3, T(2024, 6, 14, 13, 0), False),
    ]
    # the participant's address, not the host's, is the row's e-mail: the guest has none
    assert rows(
        con,
        "select source_line, email is null, host_email is not null "
        "from raw.zoom_meeting_details order by 1",
    ) == [(2, False, True), (3, True, True), (4, False, True)]
    assert quarantine(con) == []
    # the report says 3 took part in Elevhälsa, its rows name 1: a warning, every row kept
    assert record["status"] == "loaded_with_warnings"
    assert (
        "participants by meeting_id differs from what the report states "
        "(914 2211 0087: the report states 3, its rows count 1)"
    ) in record["message"]
    assert "meeting_length_minutes" not in record["message"]
    build_staging(con, load_contracts())
    # one meeting per Meeting ID, with its distinct participants and the meeting's own length
    assert rows(
        con,
        "select municipality_code, period_start, participants, duration_s, one_to_one "
        "from staging.meeting_activity order by period_start",
    ) == [("2062", D(2024, 6, 13), 2, 1320.0, True), ("2081", D(2024, 6, 14), 1, 2640.0, False)]


def test_a_duplicated_header_is_never_first_wins(tmp_path):
    """A contract that knows only one of two same-named cells does not guess which is its own."""
    path = tmp_path / "meetinglistdetails.csv"
    path.write_text(MEETING_DETAILS_HEADER, encoding="utf-8")
    source = Source(path, path.name, "text", "utf-8")
    miss = recognise(source, (contract_for("zoom_participants"),))
    assert isinstance(miss, Miss)
    assert 'its header "User Email" stands in cells 4 and 14' in miss.message
    assert 'its header "Duration (Minutes)" stands in cells 11 and 17' in miss.message
