"""A generated municipality whose true substitution is known: claims for 2011-2015, exports for
2011-2019. The calibrated estimate for the years without claims recovers the truth within a few
percentage points, and its band contains it (docs/methodology.md)."""

import pytest
from pipeline_helpers import query, run_pipeline

pytestmark = pytest.mark.pipeline

TRUE_RATE = 0.3
BASELINE_TRIPS = 800
NOISE = {2011: 0, 2012: 3, 2013: -2, 2014: 1, 2015: -3}  # trips the meetings do not explain
MEETINGS = {year: 50 + 75 * (year - 2011) for year in range(2011, 2020)}  # 3 participants each


def additional(year: int) -> float:
    """Remote-person meetings above 2011: two remote participants per meeting."""
    return 2.0 * (MEETINGS[year] - MEETINGS[2011])


def true_reduction_pct(year: int) -> float:
    return 100.0 * TRUE_RATE * additional(year) / BASELINE_TRIPS


def write_inputs(raw) -> None:
    template = ["Kommunkod;Period från;Period till;Plattform;Antal möten;Antal deltagare"]
    template += [
        f"2026;{year}-01-01;{year}-12-31;web_meeting;{n};{3 * n}" for year, n in MEETINGS.items()
    ]
    (raw / "resfritt_mall_gagnef_2011-2019.csv").write_text("\n".join(template) + "\n")
    claims = ["Kommun: Gagnef (2026)", "", "Anställningsnr;Resdatum;Från;Till;Ändamål;"
              "Antal km;Färdmedel;Belopp (kr)"]  # fmt: skip
    employee = 1000
    for year, noise in NOISE.items():
        trips = round(BASELINE_TRIPS - TRUE_RATE * additional(year) + noise)
        for i in range(trips):
            employee += 1
            day = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
            claims.append(f"{employee};{day};Gagnef;Falun;Möte;80,0;Egen bil;148,00")
    (raw / "resor_gagnef_2011-2015.csv").write_text("\n".join(claims) + "\n", encoding="cp1252")


@pytest.fixture(scope="module")
def known(tmp_path_factory, dagster_home):
    folder = tmp_path_factory.mktemp("truth")
    raw = folder / "raw"
    raw.mkdir()
    write_inputs(raw)
    warehouse = folder / "warehouse" / "resfritt.duckdb"
    result = run_pipeline(raw, warehouse)
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    return warehouse


def test_the_rate_is_calibrated_on_the_claim_years_and_recovers_the_truth(known):
    [(source, years, rate, low, high, loo)] = query(
        known,
        "select substitution_source, calibration_years, substitution_rate, "
        "substitution_rate_low, substitution_rate_high, calibration_loo_error_pp "
        "from marts.substitution_rates where municipality_code = '2026'",
    )
    assert (source, years) == ("calibrated", "2012, 2013, 2014, 2015")
    # Hand-computed: the noise (+3 -2 +1 -3 trips) shifts the pooled rate from 0.3 to 601/2000.
    declines = [TRUE_RATE * additional(y) - NOISE[y] for y in (2012, 2013, 2014, 2015)]
    growths = [additional(y) for y in (2012, 2013, 2014, 2015)]
    assert rate == pytest.approx(sum(declines) / sum(growths))
    assert low <= TRUE_RATE <= high
    assert loo < 1.0


@pytest.mark.parametrize("year", [2016, 2017, 2018, 2019])
def test_years_without_claims_recover_the_true_reduction_within_the_band(known, year):
    [(status, low, central, high, source)] = query(
        known,
        "select status, reduction_estimated_low_pct, reduction_estimated_pct, "
        "reduction_estimated_high_pct, substitution_source from marts.municipality_progress "
        "where municipality_code = '2026' and year = ?",
        [year],
    )
    truth = true_reduction_pct(year)
    assert source == "calibrated"
    assert central == pytest.approx(truth, abs=2.0)
    assert low <= truth <= high
    assert status.endswith("(estimated)") or status == "uncertain"


def test_the_baseline_year_is_zero_and_claim_years_are_judged_measured(known):
    rows = query(
        known,
        "select year, reduction_estimated_pct, status_basis from marts.municipality_progress "
        "where municipality_code = '2026' and year <= 2015 order by year",
    )
    assert rows[0] == (2011, 0.0, "measured")
    assert {basis for _, _, basis in rows} == {"measured"}
