-- Programme totals per year, with the target expressed in energy (Dalarna: 7,900 MWh baseline).

create or replace table marts.programme_progress as
select
    mp.programme,
    mp.year,
    any_value(mp.baseline_year) as baseline_year,
    any_value(mp.target_pct) as target_pct,
    any_value(p.baseline_energy_mwh) as baseline_energy_mwh,
    round(any_value(p.baseline_energy_mwh) * any_value(mp.target_pct) / 100.0, 1)
        as target_energy_mwh,
    round(sum(mp.energy_avoided_mwh), 3) as energy_avoided_mwh,
    sum(mp.virtual_meetings) as virtual_meetings,
    round(sum(mp.avoided_trips), 1) as avoided_trips,
    round(sum(mp.co2_avoided_kg), 1) as co2_avoided_kg,
    sum(mp.trips) as trips,
    sum(mp.baseline_trips) filter (where mp.trips is not null) as baseline_trips,
    -- Measured: municipalities with travel records in both years; estimated: avoided trips of
    -- municipalities with a baseline, against their baseline trips.
    round(
        100.0 * (1 - sum(mp.trips) filter (where mp.trips is not null and mp.baseline_trips > 0)
            / sum(mp.baseline_trips) filter (where mp.trips is not null and mp.baseline_trips > 0)),
        1
    ) as reduction_measured_pct,
    round(
        100.0 * sum(mp.avoided_trips) filter (where mp.baseline_trips > 0)
            / sum(mp.baseline_trips) filter (where mp.baseline_trips > 0),
        1
    ) as reduction_estimated_pct,
    round(
        100.0 * sum(mp.avoided_trips_low) filter (where mp.baseline_trips > 0)
            / sum(mp.baseline_trips) filter (where mp.baseline_trips > 0),
        1
    ) as reduction_estimated_low_pct,
    round(
        100.0 * sum(mp.avoided_trips_high) filter (where mp.baseline_trips > 0)
            / sum(mp.baseline_trips) filter (where mp.baseline_trips > 0),
        1
    ) as reduction_estimated_high_pct,
    sum(mp.employees) as employees,
    round(sum(mp.avoided_km), 1) as avoided_km,
    round(sum(mp.co2_avoided_low_kg), 1) as co2_avoided_low_kg,
    round(sum(mp.co2_avoided_high_kg), 1) as co2_avoided_high_kg,
    round(sum(mp.declared_avoided_km), 1) as declared_avoided_km,
    round(sum(mp.declared_co2_avoided_kg), 1) as declared_co2_avoided_kg,
    -- Energy: the avoided energy against the programme's stated baseline (Dalarna: 7,900 MWh),
    -- and how much of that baseline the claims' own baseline-year car travel covers.
    round(100.0 * sum(mp.energy_avoided_mwh) / any_value(p.baseline_energy_mwh), 1)
        as energy_reduction_pct,
    round(
        100.0 * sum(b.trip_car_km * factor_of('energy_kwh_per_km', p.country, mp.baseline_year))
            / 1000.0 / any_value(p.baseline_energy_mwh),
        1
    ) as claims_energy_coverage_pct,
    count(*) filter (where mp.status = 'met') as municipalities_met,
    count(*) filter (where mp.status = 'on track') as municipalities_on_track,
    count(*) filter (where mp.status = 'behind') as municipalities_behind,
    count(*) filter (where mp.status = 'met (estimated)') as municipalities_met_estimated,
    count(*) filter (where mp.status = 'behind (estimated)') as municipalities_behind_estimated,
    count(*) filter (where mp.status = 'uncertain') as municipalities_uncertain,
    count(*) filter (where mp.status = 'no data') as municipalities_no_data
from marts.municipality_progress mp
join ref.programmes p
  on p.programme = mp.programme
left join marts.measured_travel b
  on b.municipality_code = mp.municipality_code and b.year = mp.baseline_year
 and mp.year = mp.baseline_year
group by mp.programme, mp.year
order by mp.programme, mp.year;
