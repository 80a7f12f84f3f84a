"""The methodology as plain functions, against hand-computed figures (DOMAIN.md, methodology)."""

import pytest

from assets.marts import methodology as m

pytestmark = pytest.mark.unit

DALARNA = [(2015, 20.0), (2020, 40.0)]


def test_knutepunkt_oracle_six_leaders_six_meetings_60_km_is_2160_km_and_384_5_kg():
    trips = m.avoided_trips(meetings=6, remote_participants=6, substitution_rate=1.0)
    km = m.avoided_km(trips, m.round_trip_km("1017", "1001", {("1017", "1001"): 60.0}))
    assert trips == 36
    assert km == 2160
    assert round(m.co2_kg(km, 178), 1) == 384.5


def test_town_hall_pair_wins_over_the_default_distance_in_either_direction():
    distances = {("2021", "2080"): 214.0, ("2021", None): 150.0, ("2080", None): 20.0}
    assert m.round_trip_km("2021", "2080", distances) == 214.0
    assert m.round_trip_km("2080", "2021", distances) == 214.0
    assert m.round_trip_km("2021", None, distances) == 150.0
    assert m.round_trip_km("2080", "9999", distances) == 20.0


def test_doubling_the_substitution_rate_doubles_avoided_trips():
    low, central, high = m.avoided_trips_band(100, 2, (0.1, 0.25, 0.5))
    assert (low, central, high) == pytest.approx((20.0, 50.0, 100.0))
    assert m.avoided_trips(100, 2, 0.5) == 2 * m.avoided_trips(100, 2, 0.25)


def test_audio_only_and_one_to_one_calls_replace_no_trip():
    assert not m.replaces_a_trip("audio", False)
    assert not m.replaces_a_trip("video", True)
    assert m.replaces_a_trip("video", False)
    assert m.replaces_a_trip("mixed", None)


def test_remote_participants_from_the_export_else_the_default():
    assert m.remote_participants(21, 3, default=2) == 6.0
    assert m.remote_participants(None, 3, default=2) == 2
    assert m.remote_participants(1, 1, default=2) == 0.0


def test_at_most_one_car_trip_per_person_and_day():
    # Three meetings for one person on one day at 0.5 each would be 1.5 trips: capped to 1.
    per_person_day = {("p1", "2024-03-04"): 1.5, ("p1", "2024-03-05"): 0.5, ("p2", "2024-03-04"): 1}
    assert m.cap_per_person_day(per_person_day) == 2.5


def test_the_baseline_year_uses_its_own_factor():
    km = 1000
    assert m.co2_kg(km, 195) == 195.0  # Sweden 2011
    assert m.co2_kg(km, 137) == 137.0  # Sweden 2023


def test_dalarna_energy_targets_1580_and_3160_mwh():
    assert m.target_energy_mwh(7900, 20) == 1580
    assert m.target_energy_mwh(7900, 40) == 3160


def test_cost_is_km_at_the_mileage_rate_plus_hours_at_the_hourly_cost():
    # 120 km at 2.50 SEK/km (2023) and 2 h at 420 SEK/h.
    assert m.cost(120, 2.5, 2, 420) == 1140.0


def test_falun_1000_to_780_trips_is_22_percent_and_meets_20():
    reduction = m.reduction_pct(780, 1000)
    assert reduction == pytest.approx(22.0)
    assert m.target_for(2015, DALARNA) == 20
    assert m.status(2015, 2011, reduction, DALARNA) == "met"


@pytest.mark.parametrize(
    ("year", "reduction", "expected"),
    [
        (2011, 0.0, "baseline"),
        (2013, 8.0, "behind"),  # the path to 20% in 2015 passes 10% in 2013
        (2014, 15.0, "on track"),  # and 15% in 2014
        (2016, 19.9, "behind"),
        (2020, 41.0, "met"),
        (2021, None, "no data"),
    ],
)
def test_status_against_stepped_targets(year, reduction, expected):
    assert m.status(year, 2011, reduction, DALARNA) == expected


def test_no_steps_means_no_target_not_a_silent_zero():
    assert m.status(2024, 2017, 10.0, []) == "no target"


def test_gap_to_the_next_milestone():
    assert m.next_milestone(2015, DALARNA) == (2020, 40.0)
    assert m.gap_to_next_milestone(2015, 22.0, DALARNA) == 18.0
    # After the last step the step in force stays the milestone.
    assert m.gap_to_next_milestone(2023, 44.0, DALARNA) == -4.0
    assert m.gap_to_next_milestone(2023, None, DALARNA) is None


def test_per_employee():
    assert m.per_employee(780, 4450) == pytest.approx(0.17528, abs=1e-5)
    assert m.per_employee(780, None) is None


def test_factor_versions_one_string_when_all_agree_else_compact():
    assert m.factor_versions({"co2": "2026-1", "sub": "2026-1"}) == "2026-1"
    assert m.factor_versions({"co2": "2026-2", "sub": "2026-1"}) == "co2:2026-2,sub:2026-1"
