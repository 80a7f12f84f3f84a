"""At most one car trip per person per day: person-level exports cap the avoided trips."""

import pytest
from pipeline_helpers import query, run_pipeline

pytestmark = pytest.mark.pipeline

HEADER = (
    "Report Refresh Date,Tenant Display Name,Shared Channel Tenant Display Names,User Id,"
    "User Principal Name,Last Activity Date,Is Deleted,Deleted Date,Assigned Products,"
    "Team Chat Message Count,Private Chat Message Count,Call Count,Meeting Count,Post Messages,"
    "Reply Messages,Urgent Messages,Meetings Organized Count,Meetings Attended Count,"
    "Ad Hoc Meetings Organized Count,Ad Hoc Meetings Attended Count,"
    "Scheduled One-time Meetings Organized Count,Scheduled One-time Meetings Attended Count,"
    "Scheduled Recurring Meetings Organized Count,Scheduled Recurring Meetings Attended Count,"
    "Audio Duration,Video Duration,Screen Share Duration,Audio Duration In Seconds,"
    "Video Duration In Seconds,Screen Share Duration In Seconds,Has Other Action,Is Licensed,"
    "Report Period"
)
# One person, a 7-day report: organised 10 meetings and attended 40 of their own; one car trip
# per person per working day allows at most 5.
ROW = (
    "2024-03-31,Voss herad,,u-1,kari.nordmann@voss.herad.no,2024-03-30,False,,OFFICE 365 E3,"
    "0,0,0,40,0,0,0,10,40,0,0,0,0,0,0,PT10H,PT5H,PT0S,36000,18000,0,No,Yes,7"
)


def test_one_person_in_a_week_avoids_at_most_seven_trips(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    (raw / "teams_user_activity_voss.csv").write_text(
        "\ufeff" + HEADER + "\r\n" + ROW + "\r\n", encoding="utf-8"
    )
    assert run_pipeline(raw, warehouse).success
    staged = query(
        warehouse, "select meetings, participants, max_trips from staging.meeting_activity"
    )
    assert staged == [(10, 40, 5)]
    row = query(
        warehouse,
        "select virtual_meetings, avoided_trips_low, avoided_trips, avoided_trips_high "
        "from marts.municipality_progress "
        "where programme = 'voss' and municipality_code = '4621' and year = 2024",
    )
    # The cap applies after the rate: 40 x 0.10 = 4; 40 x 0.25 = 10 and 40 x 0.50 = 20 are capped
    # at 5 (no export in Voss's baseline year 2017, so all 40 are additional).
    assert row == [(10, 4.0, 5.0, 5.0)]
