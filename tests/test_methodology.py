"""The progress model as plain functions (assets/marts/methodology.py), against figures computed
by hand (docs/domain.md's oracles, docs/methodology.md's formulas)."""

import pytest

from assets.marts import methodology as m

pytestmark = pytest.mark.unit

DALARNA = [(2015, 20.0), (2020, 40.0)]


def test_knutepunkt_oracle_declared_six_leaders_six_meetings_60_km_is_2160_km_and_384_5_kg():
    # Declared replacements count at rate 1: 6 meetings x 6 travellers = 36 trips of 60 km.
    trips = m.avoided_trips(rate=0.25, growth=0.0, declared=36.0, is_baseline_year=False)
    km = trips * m.round_trip_km("1017", "1001", {("1017", "1001"): 60.0})
    assert (trips, km) == (36.0, 2160.0)
    assert round(m.co2_kg(km, 178), 1) == 384.5


def test_town_hall_pair_wins_over_the_default_distance_in_either_direction():
    distances = {("2021", "2080"): 214.0, ("2021", None): 150.0, ("2080", None): 20.0}
    assert m.round_trip_km("2021", "2080", distances) == 214.0
    assert m.round_trip_km("2080", "2021", distances) == 214.0
    assert m.round_trip_km("2021", None, distances) == 150.0
    assert m.round_trip_km("2080", "9999", distances) == 20.0


def test_audio_only_and_one_to_one_calls_replace_no_trip():
    assert not m.replaces_a_trip("audio", False)
    assert not m.replaces_a_trip("video", True)
    assert m.replaces_a_trip("video", False)
    assert m.replaces_a_trip("mixed", None)


def test_remote_person_meetings_per_kind_of_row():
    # 3 meetings with 21 participants: 6 beyond the host each.
    assert m.remote_person_meetings(3, 21, "lync", 2) == 18.0
    assert m.remote_person_meetings(3, None, "lync", 2) == 6.0
    # A video room: 10 meetings of 4 sites; the room counts its share 3/4 of each meeting, so a
    # meeting of four programme rooms is counted once (4 x 3/4 = 3 remote sites).
    assert m.remote_person_meetings(10, 40, "video_room", 2) == 7.5
    # A person-level row counts its person's own attended meetings.
    assert m.remote_person_meetings(15, 30, "teams", 2, person_meetings=30) == 30


def test_the_person_day_cap_applies_after_the_rate():
    # 30 attended meetings in a month of 22 working days: at rate 0.5, 15 trips (cap not binding);
    # at rate 1, 22 (capped); an uncapped row of 10 adds 5 and 10.
    rows = [(30.0, 22.0), (10.0, None)]
    assert m.rated(rows, 0.5) == 20.0
    assert m.rated(rows, 1.0) == 32.0


def test_only_growth_above_the_baseline_year_is_additional():
    assert m.additional(120.0, 47.0) == 73.0
    assert m.additional(30.0, 47.0) == 0.0
    assert m.additional(30.0, None) == 30.0  # no export in the baseline year: E_b = 0, flagged
    assert m.additional(None, 47.0) is None  # no export this year: no estimate, not zero


def test_calibration_rate_band_and_leave_one_year_out_error():
    # Baseline 1000 trips; years: 900 trips with 200 more meetings, 800 with 500, 700 with 600.
    cal = m.calibrate(1000, [(2012, 900, 200), (2013, 800, 500), (2014, 700, 600)])
    assert cal.rate == pytest.approx(600 / 1300)
    # Leave 2012 out: 500/1100; 2013 out: 400/800; 2014 out: 300/700.
    loo_rates = (500 / 1100, 400 / 800, 300 / 700)
    ratios = (0.5, 0.4, 0.5)
    widen = sum(abs(a - b) for a, b in zip(loo_rates, ratios, strict=True)) / 3
    assert cal.low == pytest.approx(0.4 - widen)
    assert cal.high == pytest.approx(0.5 + widen)
    errors = (
        abs(500 / 1100 * 200 - 100) / 10,
        abs(400 / 800 * 500 - 200) / 10,
        abs(300 / 700 * 600 - 300) / 10,
    )
    assert cal.loo_error_pp == pytest.approx(sum(errors) / 3)
    assert cal.years == (2012, 2013, 2014)


def test_calibration_is_clipped_to_one_and_needs_growth():
    cal = m.calibrate(100, [(2012, 20, 40)])  # 80 fewer trips, 40 more meetings: rate 1, not 2
    # The band keeps the yearly ratio (2: a room site can stand for several travellers), widened
    # by s itself with one year, so it contains the measured decline: 40 x 3 = 120 >= 80.
    assert (cal.rate, cal.low, cal.high, cal.loo_error_pp) == (1.0, 0.0, 3.0, None)
    assert m.calibrate(100, [(2012, 90, 0)]) is None


def test_rate_falls_back_from_own_to_programme_to_default():
    own = m.Calibration(0.3, 0.2, 0.4, (2012,), 1.0)
    pooled = m.Calibration(0.5, 0.1, 0.9, (2012,), 2.0)
    default = (0.1, 0.25, 0.5)
    assert m.choose_rate(own, pooled, default) == ((0.2, 0.3, 0.4), "calibrated")
    assert m.choose_rate(None, pooled, default) == ((0.1, 0.5, 0.9), "programme")
    assert m.choose_rate(None, None, default) == (default, "default")


def test_the_bound_keeps_null_as_null():
    assert m.at_most(None, 300) is None  # DuckDB's least(NULL, 300) would say 300
    assert m.at_most(450.0, 300) == 300
    assert m.at_most(450.0, None) == 450.0
    assert m.estimated_reduction_pct(450.0, 300) == 100.0
    assert m.estimated_reduction_pct(None, 300) is None
    assert m.estimated_reduction_pct(30.0, None) is None


def test_the_baseline_year_avoids_nothing():
    assert m.avoided_trips(0.5, 120.0, 36.0, is_baseline_year=True) == 0.0
    assert m.avoided_trips(0.5, None, None, is_baseline_year=False) is None


def test_the_baseline_year_uses_its_own_factor():
    assert m.co2_kg(1000, 195) == 195.0  # Sweden 2011
    assert m.co2_kg(1000, 137) == 137.0  # Sweden 2024


def test_energy_of_knutepunkts_declared_km_at_an_illustrative_0_6_kwh_per_km():
    assert m.energy_mwh(2160, 0.6) == pytest.approx(1.296)


def test_dalarna_energy_targets_1580_and_3160_mwh():
    assert m.target_energy_mwh(7900, 20) == 1580
    assert m.target_energy_mwh(7900, 40) == 3160


def test_falun_1000_to_780_trips_is_22_percent_and_meets_20():
    reduction = m.reduction_pct(780, 1000)
    assert reduction == pytest.approx(22.0)
    assert m.target_for(2015, DALARNA) == 20
    assert m.status(2015, 2011, DALARNA, reduction, None, True) == "met"


@pytest.mark.parametrize(
    ("year", "measured", "estimate", "has_export", "source", "capped", "expected"),
    [
        (2011, 0.0, None, True, "calibrated", False, "baseline"),
        (2013, 8.0, None, True, "calibrated", False, "behind"),  # the path passes 10 % in 2013
        (2014, 15.0, None, True, "calibrated", False, "on track"),  # and 15 % in 2014
        (2016, 19.9, (30.0, 40.0, 50.0), True, "calibrated", False, "behind"),  # measured first
        (2020, 41.0, None, True, "calibrated", False, "met"),
        (2021, None, None, False, "calibrated", False, "no data"),
        (2017, None, (21.0, 30.0, 40.0), True, "calibrated", False, "met (estimated)"),
        (2017, None, (5.0, 10.0, 19.0), True, "programme", False, "behind (estimated)"),
        (2017, None, (0.0, 14.6, 36.3), True, "calibrated", False, "uncertain"),  # straddles
        (2017, None, (21.0, 30.0, 40.0), True, "default", False, "uncertain"),
        (2017, None, (21.0, 30.0, 40.0), True, "calibrated", True, "uncertain"),  # bound binds
        (2017, None, None, True, "calibrated", False, "uncertain"),  # exports, no baseline
        (2013, None, (11.0, 12.0, 13.0), True, "calibrated", False, "met (estimated)"),  # > 10
    ],
)
def test_status_rule(year, measured, estimate, has_export, source, capped, expected):
    assert m.status(year, 2011, DALARNA, measured, estimate, has_export, source, capped) == (
        expected
    )


def test_claims_without_a_baseline_to_measure_against_are_data_but_no_figure():
    # Falun with claims for 2015 only (none for 2011) and no export that year.
    assert m.status(2015, 2011, DALARNA, None, None, False, has_claims=True) == "uncertain"
    assert m.status(2015, 2011, DALARNA, None, None, False, has_claims=False) == "no data"


def test_no_steps_means_no_target_not_a_silent_zero():
    assert m.status(2024, 2017, [], 10.0, None, True) == "no target"


def test_the_judged_figure_is_the_one_the_status_names():
    band = (21.0, 30.0, 40.0)
    assert m.judged_pct("met", 42.0, band) == 42.0
    assert m.judged_pct("met (estimated)", None, band) == 21.0
    assert m.judged_pct("behind (estimated)", None, band) == 40.0
    assert m.judged_pct("uncertain", None, band) == 30.0
    assert m.judged_pct("no data", None, None) is None


def test_co2_change_splits_into_fleet_and_activity_effects():
    # 10,000 km at 195 g/km -> 6,000 km at 137 g/km: CO2 1,950 -> 822 kg, -57.8 %.
    fleet, activity = m.fleet_and_activity_effect(10_000, 195, 6_000, 137)
    assert activity == pytest.approx(-40.0)
    assert fleet == pytest.approx(100 * 6_000 * (137 - 195) / 1_950_000)
    assert fleet + activity == pytest.approx(100 * (822_000 / 1_950_000 - 1))


def test_gap_to_the_next_milestone():
    assert m.next_milestone(2015, DALARNA) == (2020, 40.0)
    assert m.gap_to_next_milestone(2015, 22.0, DALARNA) == 18.0
    assert m.gap_to_next_milestone(2023, 44.0, DALARNA) == -4.0
    assert m.gap_to_next_milestone(2023, None, DALARNA) is None


def test_per_employee():
    assert m.per_employee(780, 4450) == pytest.approx(0.17528, abs=1e-5)
    assert m.per_employee(780, None) is None
