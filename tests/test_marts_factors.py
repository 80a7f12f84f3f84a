"""The marts over a small hand-made input and a test factor set in a reference copy
(tests/marts_helpers.py): every figure below is computed by hand."""

import pytest
from marts_helpers import materialization, small_warehouse
from pipeline_helpers import query, scalar

pytestmark = pytest.mark.pipeline


@pytest.fixture(scope="module")
def small(tmp_path_factory, dagster_home) -> dict:
    return small_warehouse(tmp_path_factory.mktemp("small"))


def test_knutepunkt_oracle_through_the_marts_2160_km_and_384_5_kg(small):
    # 6 conferences x 6 remote IT leaders above a baseline year (1991) without exports x
    # substitution 1.0 = 36 trips x 60 km (Kristiansand's and its merged codes' default trip; no
    # claims) = 2,160 km at 178 g/km (Norway 2013) = 384.48 kg.
    row = query(
        small["warehouse"],
        "select virtual_meetings, avoided_trips, avoided_km, co2_avoided_kg, co2_g_per_km "
        "from marts.municipality_progress "
        "where programme = 'knutepunkt-sorlandet' and municipality_code = '4204' and year = 2013",
    )
    assert row == [(10, 36.0, 2160.0, 384.5, 178.0)]


def test_audio_only_calls_avoid_nothing(small):
    # The four audio-only calls count as meetings but add no trip: 36 at rates 1.0 and 1.0.
    row = query(
        small["warehouse"],
        "select virtual_meetings, meetings_replacing_no_trip, avoided_trips, avoided_trips_high "
        "from marts.municipality_progress_historical "
        "where historical_code = '1017' and year = 2013",
    )
    assert row == [(10, 4, 36.0, 36.0)]


def test_doubling_the_substitution_rate_in_the_reference_doubles_avoided_trips(small):
    half, one = small["avoided_at_half"], small["avoided_at_one"]
    # Falun's 2011 is its baseline year: nothing avoided; 2023 has 12 - 6 = 6 more remote joiners.
    assert half == {
        ("1017", 2013): (18.0, 3.6, 18.0),
        ("2080", 2011): (0.0, 0.0, 0.0),
        ("2080", 2023): (3.0, 0.6, 3.0),
    }
    for key, (central, low, high) in half.items():
        assert one[key] == (2 * central, low, 2 * high)


def test_the_factor_edit_rebuilt_the_marts_and_the_rows_name_their_factor_version(small):
    metadata = materialization(small["second"], "marts", "municipality_progress")
    assert "unchanged" not in metadata
    versions = scalar(
        small["warehouse"],
        "select string_agg(distinct factor_version, ';') from marts.municipality_progress "
        "where virtual_meetings > 0",
    )
    # Every factor of factors.csv is at 2026-2, distances.csv at 2026-1; the rate's source follows.
    assert versions == (
        "co2:2026-2,kwh:2026-2,mileage:2026-2,hourly:2026-2,speed:2026-2,sub:2026-2,"
        "sub_low:2026-2,sub_high:2026-2,remote:2026-2,dist:2026-1;rate:default"
    )


def test_2011_uses_2011s_factor_and_2023_uses_2023s(small):
    # Falun's 2023 conference has 6 remote joiners more than 2011's: 6 trips x 20 km (its
    # default trip) = 120 km at 2023's 137 g/km = 16.44 kg; the baseline year 2011 avoids
    # nothing and keeps 2011's 195 g/km as the baseline factor.
    rows = query(
        small["warehouse"],
        "select year, avoided_km, co2_g_per_km, co2_avoided_kg, baseline_co2_g_per_km "
        "from marts.municipality_progress where municipality_code = '2080' "
        "and year in (2011, 2023) order by year",
    )
    assert rows == [(2011, 0.0, 195.0, 0.0, 195.0), (2023, 120.0, 137.0, 16.4, 195.0)]


def test_both_views_of_the_2020_merger_by_historical_and_todays_code(small):
    historical = query(
        small["warehouse"],
        "select historical_code, historical_name, municipality_code, municipality, avoided_km "
        "from marts.municipality_progress_historical where year = 2013",
    )
    assert historical == [("1017", "Songdalen", "4204", "Kristiansand", 2160.0)]
    today = scalar(
        small["warehouse"],
        "select sum(avoided_km) from marts.municipality_progress "
        "where municipality_code = '4204' and year = 2013",
    )
    assert today == 2160.0


def test_data_quality_flags_name_the_platform_change_the_method_break_and_the_old_code(small):
    flags = {
        (code, year, flag): detail
        for code, year, flag, detail in query(
            small["warehouse"],
            "select municipality_code, year, flag, detail from marts.data_quality_flags",
        )
    }
    assert flags[("2080", 2023, "platform_change")].startswith(
        "lync (2011) -> skype_for_business (2023)"
    )
    assert flags[("2080", 2023, "factor_method_break")].startswith(
        "co2_g_per_km: WLTP as NEDC-equivalent in 2023, NEDC in the baseline year 2011"
    )
    assert ("2080", 2011, "factor_method_break") not in flags
    assert "1017" in flags[("4204", 2013, "historical_codes")]
    # Songdalen's exports cover 2013-01 to 2013-11: October is the only month without one.
    assert flags[("4204", 2013, "months_without_export")] == (
        "1 month(s) without any export: 2013-10"
    )
    assert ("2080", 2012, "months_without_export") in flags


def test_no_op_run_rebuilds_nothing_and_rewrites_no_report(small):
    for key in ("municipality_progress", "data_quality_flags", "reports"):
        assert materialization(small["third"], "marts", key)["unchanged"].value is True
    mtimes = {p.name: p.stat().st_mtime_ns for p in small["reports"].iterdir()}
    assert mtimes == small["mtimes_after_second"]


def test_factor_version_lists_each_factor_when_versions_differ(small, tmp_path):
    import shutil

    import duckdb

    from assets.marts.assets import COMMON_SQL

    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(small["warehouse"], copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("update ref.factors set version = '2027-1' where factor = 'co2_g_per_km'")
        con.execute(COMMON_SQL)
        version = con.execute("select factor_versions('SE', 2015, '2026-1')").fetchall()[0][0]
    assert version == (
        "co2:2027-1,kwh:2026-2,mileage:2026-2,hourly:2026-2,speed:2026-2,sub:2026-2,"
        "sub_low:2026-2,sub_high:2026-2,remote:2026-2,dist:2026-1"
    )
