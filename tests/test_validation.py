"""Expectation suites from the contracts, and checks that block the marts or only warn."""

import datetime as dt
import hashlib

import dagster as dg
import pandas as pd
import pytest
from pipeline_helpers import run_pipeline, scalar

from assets.staging.expectations import call_level_kinds, meeting_activity_suite
from schemas import contract_for, load_contracts
from schemas.expectations import DAY_S, raw_suite, validate

TODAY = dt.date(2026, 11, 23)
HEADER = "Månad;Organisation;Rum;Antal möten;Total mötestid (tim:min);Snitt deltagare\n"
GOOD = (
    "2014-03;Falu kommun;Falun Stadshuset VR1;4;3:55;2,3\n"
    "2014-04;Falu kommun;Falun Stadshuset VR1;5;1:10;2,0\n"
)


def _video_file(folder, name: str, rows: str) -> None:
    (folder / name).write_text(HEADER + rows, encoding="cp1252")


def _checks(result) -> dict:
    """{(asset, check): evaluation} of one run."""
    found = {}
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            found[(evaluation.asset_key.to_user_string(), evaluation.check_name)] = evaluation
    return found


def _materialized(result) -> set[str]:
    return {
        e.asset_key.to_user_string()
        for e in result.all_events
        if e.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION
    }


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.unit
def test_raw_suites_come_from_the_contracts():
    codes = frozenset({"2080"})
    suite = raw_suite(contract_for("telia_video_rooms"), codes, TODAY)
    says = {r.says: r.blocking for r in suite.rules}
    assert says["month lies between 1990-01-01 and 2026-12-24"] is True
    assert says["meetings is at least 0"] is True
    assert says["municipality_code is a code in data/reference/municipalities.csv"] is True
    assert says["room is filled in"] is True
    unique = [r for r in suite.rules if r.expectation == "ExpectCompoundColumnsToBeUnique"]
    assert [r.kwargs["column_list"][-2:] for r in unique] == [["month", "room"]]
    assert not unique[0].blocking, "overlapping exports are deduplicated, so only a warning"
    pstn = raw_suite(contract_for("teams_pstn"), codes, TODAY)
    assert any(r.says == "duration_s is between 0 and 86400" and r.blocking for r in pstn.rules)
    # Only the attribution date blocks; lync's end_time only informs.
    lync = {
        r.says: r.blocking for r in raw_suite(contract_for("lync_sessions"), codes, TODAY).rules
    }
    assert lync["session_time lies between 1990-01-01 and 2026-12-24"] is True
    assert lync["end_time lies between 1990-01-01 and 2026-12-24"] is False


@pytest.mark.unit
def test_call_level_kinds_are_those_with_one_meeting_per_row():
    # Lync/SfB sessions are grouped per conference and day: a staged row is a meeting, not a call.
    assert set(call_level_kinds(load_contracts())) == {
        "teams_pstn",
        "telia_conferences",
        "webex_usage",
    }


@pytest.mark.unit
def test_validate_reports_failing_rows_with_their_files():
    frame = pd.DataFrame(
        {
            "source_path": ["a.csv", "b.csv", "b.csv"],
            "export_kind": ["teams_pstn"] * 3,
            "platform": ["telephony"] * 3,
            "municipality_code": ["2080", "2080", "9999"],
            "period_start": pd.to_datetime(["2024-03-01", "1890-03-01", "2024-03-02"]),
            "period_end": pd.to_datetime(["2024-03-01", "1890-03-01", "2024-03-02"]),
            "meetings": [1, 1, 1],
            "participants": [1, 1, 1],
            "duration_s": [60.0, 60.0, DAY_S + 1.0],
            "meetings_per_day": [1.0, 1.0, 1.0],
            "call_duration_s": [60.0, 60.0, DAY_S + 1.0],
        }
    )
    findings = validate(frame, meeting_activity_suite(frozenset({"2080"}), TODAY))
    by_rule = {f.rule.says: f for f in findings}
    assert set(by_rule) == {
        "municipality_code is a code in data/reference/municipalities.csv",
        "period_start lies between 1990-01-01 and 2026-12-24",
        "period_end lies between 1990-01-01 and 2026-12-24",
        "a single call or session lasts less than 24 hours",
    }
    assert dict(by_rule["period_start lies between 1990-01-01 and 2026-12-24"].files) == {
        "b.csv": 1
    }
    assert by_rule["municipality_code is a code in data/reference/municipalities.csv"].sample[0][
        "municipality_code"
    ] == ("9999")
    assert not by_rule["a single call or session lasts less than 24 hours"].rule.blocking


@pytest.mark.pipeline
def test_an_absurd_meeting_count_stops_the_marts_and_names_the_file(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    _video_file(raw, "video_ok.csv", GOOD)
    assert run_pipeline(raw, warehouse).success
    before = _digest(warehouse)
    assert scalar(warehouse, "select sum(meetings) from marts.virtual_meetings") == 9

    _video_file(raw, "video_bad.csv", "2014-03;Falu kommun;Falun Stadshuset VR2;2500000;3:55;2,3\n")
    result = run_pipeline(raw, warehouse)

    assert not result.success
    check = _checks(result)[("staging/meeting_activity", "rows_keep_the_contract")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.ERROR
    metadata = {k: v.value for k, v in check.metadata.items()}
    assert metadata["failing_rows"] == 1
    assert metadata["files_to_fix"] == [str(raw.resolve() / "video_bad.csv")]
    assert metadata["sample"][0]["meetings"] == 2500000
    assert "video_bad.csv" in check.description and "not published" in check.description
    made = _materialized(result)
    assert "staging/meeting_activity" in made
    # Only the marts that read meeting activity wait; measured travel reads the claims alone.
    assert not {m for m in made if m.startswith("marts/")} - {"marts/measured_travel"}, made
    assert _digest(warehouse) == before, "the published warehouse must be untouched"
    assert not warehouse.with_name(warehouse.name + ".build").exists()

    (raw / "video_bad.csv").unlink()
    _video_file(raw, "video_fixed.csv", "2014-03;Falu kommun;Falun Stadshuset VR2;25;3:55;2,3\n")
    assert run_pipeline(raw, warehouse).success
    assert scalar(warehouse, "select sum(meetings) from marts.virtual_meetings") == 34


@pytest.mark.pipeline
def test_a_month_typed_a_century_ahead_blocks_at_the_raw_layer_with_its_line(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    _video_file(raw, "video_typo.csv", GOOD + "2104-05;Falu kommun;Falun Stadshuset VR1;3;1:00;2\n")
    result = run_pipeline(raw, warehouse)

    assert not result.success
    check = _checks(result)[("raw/telia_video_rooms", "rows_keep_the_contract")]
    assert not check.passed
    sample = check.metadata["sample"].value
    assert sample == [
        {
            "expectation": "month lies between 1990-01-01 and "
            f"{dt.date.today() + dt.timedelta(days=31)}",
            "month": "2104-05-01T00:00:00",
            "source_path": "video_typo.csv",
            "source_line": 4,
        }
    ]
    made = _materialized(result)
    assert "staging/meeting_activity" not in made, "a blocking raw check stops staging"
    assert not warehouse.exists(), "the first run failed, so nothing was ever published"


@pytest.mark.pipeline
def test_a_repeated_row_is_a_warning_and_the_run_still_publishes(workspace):
    raw, warehouse = workspace["raw"], workspace["warehouse"]
    _video_file(
        raw, "video_twice.csv", GOOD + "2014-03;Falu kommun;Falun Stadshuset VR1;4;3:55;2,3\n"
    )
    result = run_pipeline(raw, warehouse)

    assert result.success
    check = _checks(result)[("raw/telia_video_rooms", "rows_look_plausible")]
    assert not check.passed and check.severity == dg.AssetCheckSeverity.WARN
    assert check.metadata["failing_rows"].value == 2
    assert check.metadata["files_to_fix"].value == [str(raw.resolve() / "video_twice.csv")]
    assert sorted(r["source_line"] for r in check.metadata["sample"].value) == [2, 4]
    # Published, and the repeated row counted once.
    assert scalar(warehouse, "select sum(meetings) from marts.virtual_meetings") == 9
    blocking = [c for c in _checks(result).values() if c.severity == dg.AssetCheckSeverity.ERROR]
    assert blocking and all(c.passed for c in blocking)


@pytest.mark.pipeline
def test_marts_add_up_to_staging_on_the_samples(sample_warehouse):
    mart = scalar(sample_warehouse, "select sum(meetings) from marts.virtual_meetings")
    staged = scalar(
        sample_warehouse,
        "select sum(a.meetings) from staging.meeting_activity a "
        "join ref.municipalities m on m.code = a.municipality_code "
        "join ref.programme_members pm "
        "  on pm.municipality_code = coalesce(m.successor_code, m.code)",
    )
    assert mart == staged > 0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("key", "fragment", "says"),
    [
        ("where", "response_code = 200 and (", "[staging] where is not valid SQL"),
        ("participants", "count(distinct from_uri", "[staging] participants is not valid SQL"),
        ("group_by", "source_path; drop table raw.lync_sessions", "more than one SQL statement"),
    ],
)
def test_a_typo_in_a_contracts_sql_stops_loading_with_the_file_and_key(
    tmp_path, key, fragment, says
):
    from schemas import ContractError, parse_contract

    text = contract_for("lync_sessions").path.read_text(encoding="utf-8")
    lines = [
        f"{key} = {fragment!r}".replace("'", '"') if line.startswith(f"{key} = ") else line
        for line in text.splitlines()
    ]
    broken = tmp_path / "lync_sessions.toml"
    broken.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        parse_contract(broken)
    message = str(err.value)
    assert message.startswith("lync_sessions.toml: "), message
    assert says in message, message
    assert fragment in message


@pytest.mark.pipeline
def test_a_new_file_validates_its_own_tables_again_and_replays_the_others(workspace):
    from fixture_files import copy_fixture

    raw, warehouse = workspace["raw"], workspace["warehouse"]
    _video_file(raw, "video_ok.csv", GOOD)
    copy_fixture(raw, "resor_falun.csv")
    assert run_pipeline(raw, warehouse).success

    _video_file(raw, "video_may.csv", "2014-05;Falu kommun;Falun Stadshuset VR1;2;1:00;2,0\n")
    second = run_pipeline(raw, warehouse)
    assert second.success
    replayed = {
        asset: "unchanged" in check.metadata
        for (asset, name), check in _checks(second).items()
        if name == "rows_keep_the_contract"
    }
    assert replayed["raw/telia_video_rooms"] is False and replayed["raw/travel_claims"] is True
    assert replayed["staging/meeting_activity"] is False and replayed["staging/trips"] is True
    assert scalar(warehouse, "select sum(meetings) from marts.virtual_meetings") == 11
    # only the new file's row was validated, in SQL, and it says so
    for asset in ("raw/telia_video_rooms", "staging/meeting_activity"):
        check = _checks(second)[(asset, "rows_keep_the_contract")]
        assert check.passed and check.metadata["rows_validated"].value == 1
        assert "(the rows of 1 new file(s); the others held when validated)" in check.description

    # 400,000 meetings in a month is more than 10,000 a day: the new row fails, exactly
    _video_file(raw, "video_june.csv", "2014-06;Falu kommun;Falun Stadshuset VR1;400000;1:00;2\n")
    third = _checks(run_pipeline(raw, warehouse))
    assert third[("raw/telia_video_rooms", "rows_keep_the_contract")].passed
    staged = third[("staging/meeting_activity", "rows_keep_the_contract")]
    assert not staged.passed and staged.metadata["failing_rows"].value == 1
    assert "meetings per day of the period are at most 10,000: 1 row fails" in staged.description
    assert "video_june.csv" in staged.description
