"""The bundled sample data through the whole pipeline: the seed oracles and exact row accounting."""

import pytest
from pipeline_helpers import EXPECTED, query, run_pipeline, scalar

pytestmark = pytest.mark.pipeline

DALARNA = {
    "2021",
    "2023",
    "2026",
    "2029",
    "2031",
    "2034",
    "2039",
    "2061",
    "2062",
    "2080",
    "2081",
    "2082",
    "2083",
    "2084",
    "2085",
}


def test_dalarna_video_rooms_2014_total_1174_meetings(sample_warehouse):
    total = scalar(
        sample_warehouse,
        "select sum(meetings) from marts.virtual_meetings where programme = 'vi-mots-resfritt' "
        "and year = 2014 and platform = 'video_room'",
    )
    assert total == 1174


def test_every_dalarna_municipality_had_video_meetings_in_2014(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select municipality_code, sum(meetings) from marts.virtual_meetings "
        "where programme = 'vi-mots-resfritt' and year = 2014 and platform = 'video_room' "
        "group by all",
    )
    assert {code for code, _ in rows} == DALARNA
    per_code = EXPECTED["files"]["telia_videomote_2014.xlsx"]["meetings_per_code_per_year"]
    assert {code: int(n) for code, n in rows} == {k: v["2014"] for k, v in per_code.items()}


def test_video_meetings_per_year_match_the_exports(sample_warehouse):
    rows = dict(
        query(
            sample_warehouse,
            "select year, sum(meetings) from marts.virtual_meetings "
            "where programme = 'vi-mots-resfritt' and platform = 'video_room' group by year",
        )
    )
    expected = {
        2011: 312,
        2012: 568,
        2013: 861,
        2014: 1174,
        2015: 1436,
        2016: 1702,
        2017: 1985,
        2018: 2260,
        2019: 2537,
        2020: 3480,
        2021: 3815,
        2022: 3390,
        2023: 3265,
        2024: 3190,
    }
    assert rows == expected


def test_progress_has_a_row_per_dalarna_municipality_and_year_with_stepped_targets(
    sample_warehouse,
):
    rows = query(
        sample_warehouse,
        "select municipality_code, year, baseline_year, target_pct "
        "from marts.municipality_progress where programme = 'vi-mots-resfritt'",
    )
    assert {r[0] for r in rows} == DALARNA
    assert len(rows) == 15 * 14
    for _code, year, baseline, target in rows:
        assert baseline == 2011
        assert target == (0 if year < 2015 else 20 if year < 2020 else 40)


def test_falun_measured_trips_fell_22_percent_by_2015_and_met_the_target(sample_warehouse):
    row = query(
        sample_warehouse,
        "select baseline_trips, trips, reduction_measured_pct, target_pct, status "
        "from marts.municipality_progress "
        "where programme = 'vi-mots-resfritt' and municipality_code = '2080' and year = 2015",
    )[0]
    assert row == (1000, 780, 22.0, 20.0, "met")


def test_dalarna_energy_targets_are_1580_and_3160_mwh(sample_warehouse):
    rows = dict(
        query(
            sample_warehouse,
            "select year, target_energy_mwh from marts.programme_progress "
            "where programme = 'vi-mots-resfritt' and year in (2014, 2015, 2020)",
        )
    )
    assert rows == {2014: 0.0, 2015: 1580.0, 2020: 3160.0}
    assert (
        scalar(
            sample_warehouse,
            "select distinct baseline_energy_mwh from marts.programme_progress "
            "where programme = 'vi-mots-resfritt'",
        )
        == 7900.0
    )


def test_knutepunkt_has_its_own_1991_baseline_and_no_silent_zero(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select distinct baseline_year, status from marts.municipality_progress "
        "where programme = 'knutepunkt-sorlandet' and municipality_code = '4204'",
    )
    # Its targets are emission targets against 1991 (ref.targets metric road_co2, total_co2),
    # not trip targets: no trip status is judged, and no figure is made up for 1991.
    assert sorted(rows) == [(1991, "baseline"), (1991, "no target")]
    assert query(
        sample_warehouse,
        "select avoided_trips, reduction_estimated_pct from marts.municipality_progress "
        "where municipality_code = '4204' and year = 1991",
    ) == [(None, None)]


def test_kristiansand_history_under_1001_rolls_up_to_4204(sample_warehouse):
    trips_2015 = scalar(
        sample_warehouse,
        "select trips from marts.municipality_progress "
        "where programme = 'knutepunkt-sorlandet' and municipality_code = '4204' and year = 2015",
    )
    staged = scalar(
        sample_warehouse,
        "select count(*) from staging.trips where municipality_code = '1001' "
        "and year(trip_date) = 2015 and is_meeting",
    )
    assert trips_2015 == staged > 0


def test_every_row_of_every_file_is_accounted_for(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select path, rows_in, rows_loaded, rows_quarantined, status from ops.files order by path",
    )
    assert len(rows) == len(EXPECTED["files"]) == 15
    for path, rows_in, loaded, quarantined, status in rows:
        assert rows_in == loaded + quarantined, path
        expected = EXPECTED["files"][path]["rows"]
        assert rows_in == expected, path
        assert status in ("loaded", "loaded_with_warnings"), (path, status)
    assert scalar(sample_warehouse, "select count(*) from ops.quarantine") == sum(
        r[3] for r in rows
    )


def test_planted_bad_rows_are_quarantined_with_file_row_column_and_value(sample_warehouse):
    rows = set(
        query(
            sample_warehouse,
            "select path, row_number, column_name, value from ops.quarantine "
            "where path not like 'Calls.Export%'",
        )
    )
    assert rows == {
        ("telia_telemote_webb_2016.csv", 38, "duration_s", "4x"),
        ("telia_telemote_webb_2016.csv", 113, "host", "*@unknown-org.example"),
        ("lync_sessiondetails_knutepunkt_2013.csv", 95, "end_time", "2013-13-45 99:00:00"),
    }
    reasons = query(
        sample_warehouse,
        "select reason from ops.quarantine where path = 'telia_telemote_webb_2016.csv' "
        "order by row_number",
    )
    assert reasons[0][0] == "is not a duration"
    assert "no municipality found" in reasons[1][0]


def test_pstn_bot_calls_without_a_user_are_quarantined_not_dropped(sample_warehouse):
    rows = query(
        sample_warehouse,
        "select rows_in, rows_loaded, rows_quarantined from ops.files "
        "where path = 'Calls.Export.7f3a2c.zip'",
    )
    assert rows == [(120, 117, 3)]


def test_second_run_on_unchanged_data_loads_nothing_twice(tmp_path, dagster_home):
    import shutil

    from pipeline_helpers import SAMPLE_RAW

    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = tmp_path / "wh" / "resfritt.duckdb"
    assert run_pipeline(raw, warehouse).success
    counts = (
        "select (select count(*) from staging.meeting_activity), "
        "(select count(*) from staging.trips), (select sum(rows_loaded) from ops.files), "
        "(select count(*) from ops.quarantine), (select sum(meetings) from marts.virtual_meetings)"
    )
    before = query(warehouse, counts)
    mtime = warehouse.stat().st_mtime_ns
    second = run_pipeline(raw, warehouse)
    assert second.success
    evaluations = second.get_asset_check_evaluations()
    replayed = [e for e in evaluations if "unchanged" in e.metadata]
    suites = [
        e for e in evaluations if e.check_name in ("rows_keep_the_contract", "rows_look_plausible")
    ]
    assert suites and len(replayed) >= len(suites), "unchanged inputs are not validated again"
    assert query(warehouse, counts) == before
    assert warehouse.stat().st_mtime_ns == mtime, "a no-op run must not rewrite the warehouse"
