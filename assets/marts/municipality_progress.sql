-- Progress against the stepped trip targets (docs/methodology.md): judged on the measured reduction
-- where travel claims exist; else on the calibrated, additional, bounded estimate, as a band.

create or replace temp table meetings_by_year as
select
    municipality_code,
    year,
    sum(virtual_meetings) as virtual_meetings,
    sum(meetings_replacing_no_trip) as meetings_replacing_no_trip,
    sum(uncapped_person_meetings) as uncapped_person_meetings,
    flatten(list(capped_rows)) as capped_rows,
    sum(eligible_remote_person_meetings) as raw_person_meetings,
    sum(declared_replaced_trips) as declared_replaced_trips,
    sum(declared_km) as declared_km
from marts.eligible_meetings
group by municipality_code, year;

-- Trips the eligible meetings stand for at rate s: s per person-meeting, at most the row's cap
-- (one trip per person and day, after the rate), less the meetings declared separately.
create or replace temp macro rated(uncapped, capped, declared, s) as
    not_negative(
        s * uncapped
        + coalesce(list_sum([least(s * r.person_meetings, r.max_trips) for r in capped]), 0)
        - s * coalesce(declared, 0)
    );

-- The rated meetings of a year above those of the baseline year (none without a baseline export).
create or replace temp macro growth_at(
    uncapped, capped, declared, b_uncapped, b_capped, b_declared, s
) as
    rated(uncapped, capped, declared, s)
    - coalesce(rated(b_uncapped, b_capped, b_declared, s), 0);

-- A = s * (growth above the baseline year) + declared trips; 0 in the baseline year; NULL in a
-- year without an export.
create or replace temp macro avoided_at(growth, has_export, is_baseline, declared) as
    case
        when not has_export then null
        when is_baseline then 0.0
        else not_negative(growth) + coalesce(declared, 0)
    end;

-- A municipality's default trip per year under today's code, else under the codes it merged.
create or replace temp table distance_by_today as
select c.today_code, d.year, avg(d.round_trip_km) as round_trip_km, max(d.version) as version
from distance_by_year d
join current_code c
  on c.code = d.from_code
group by c.today_code, d.year;

create or replace temp table grid as
select distinct programme, municipality_code, year
from (
    select r.programme, r.municipality_code, y.year
    from marts.substitution_rates r
    join (
        select year from marts.eligible_meetings
        union
        select year from marts.measured_travel
    ) y
      on true
    union
    select programme, municipality_code, baseline_year
    from marts.substitution_rates
);

create or replace temp table targets_by_year as
with trip_targets as (
    select programme, from_year, reduction_pct
    from ref.targets
    where metric = 'trips'
)
select
    g.programme,
    g.year,
    coalesce(max(t.reduction_pct) filter (where t.from_year <= g.year), 0) as target_pct,
    -- The next step still ahead; after the last step, the step in force stays the milestone.
    coalesce(
        min(t.from_year) filter (where t.from_year > g.year), max(t.from_year)
    ) as next_milestone_year,
    coalesce(
        arg_min(t.reduction_pct, t.from_year) filter (where t.from_year > g.year),
        arg_max(t.reduction_pct, t.from_year)
    ) as next_milestone_pct,
    min(t.from_year) filter (where t.from_year > g.year) as upcoming_step_year,
    arg_min(t.reduction_pct, t.from_year) filter (where t.from_year > g.year) as upcoming_step_pct,
    count(t.from_year) as target_steps
from (select distinct programme, year from grid) g
left join trip_targets t
  on t.programme = g.programme
group by all;

create or replace table marts.municipality_progress as
with joined as (
    select
        g.programme,
        g.municipality_code,
        m.name as municipality,
        m.country,
        m.currency,
        g.year,
        r.baseline_year,
        tt.target_pct,
        tt.next_milestone_year,
        tt.next_milestone_pct,
        tt.target_steps,
        case
            when tt.target_pct > 0 then tt.target_pct
            when tt.upcoming_step_year is not null
                then tt.upcoming_step_pct * (g.year - r.baseline_year)
                    / greatest(1, tt.upcoming_step_year - r.baseline_year)
        end as year_target_pct,
        e.virtual_meetings,
        e.meetings_replacing_no_trip,
        e.year is not null as has_export,
        not_negative(e.raw_person_meetings - coalesce(e.declared_replaced_trips, 0))
            as eligible_remote_person_meetings,
        r.baseline_eligible_remote_person_meetings,
        e.declared_replaced_trips,
        e.declared_km,
        r.substitution_rate,
        r.substitution_rate_low,
        r.substitution_rate_high,
        r.substitution_source,
        r.calibration_years,
        r.calibration_loo_error_pp,
        r.claims_km_per_trip,
        r.claims_car_share,
        r.claims_cost_per_trip,
        r.baseline_trips,
        -- The bound: the trips that could have been made, the baseline year's, else (flagged as a
        -- proxy) those of the earliest year with claims.
        coalesce(r.baseline_trips, r.proxy_baseline_trips) as bound_trips,
        growth_at(
            e.uncapped_person_meetings, e.capped_rows, e.declared_replaced_trips,
            b.uncapped_person_meetings, b.capped_rows, b.declared_replaced_trips,
            r.substitution_rate
        ) as growth_central,
        growth_at(
            e.uncapped_person_meetings, e.capped_rows, e.declared_replaced_trips,
            b.uncapped_person_meetings, b.capped_rows, b.declared_replaced_trips,
            r.substitution_rate_low
        ) as growth_low,
        growth_at(
            e.uncapped_person_meetings, e.capped_rows, e.declared_replaced_trips,
            b.uncapped_person_meetings, b.capped_rows, b.declared_replaced_trips,
            r.substitution_rate_high
        ) as growth_high,
        ms.trips,
        ms.trip_km,
        ms.trip_car_km,
        emp.employees,
        bemp.employees as baseline_employees,
        d.round_trip_km as distance_km,
        d.version as distance_version
    from grid g
    join marts.substitution_rates r
      on r.programme = g.programme and r.municipality_code = g.municipality_code
    join ref.municipalities m
      on m.code = g.municipality_code
    join targets_by_year tt
      on tt.programme = g.programme and tt.year = g.year
    left join meetings_by_year e
      on e.municipality_code = g.municipality_code and e.year = g.year
    left join meetings_by_year b
      on b.municipality_code = g.municipality_code and b.year = r.baseline_year
    left join marts.measured_travel ms
      on ms.municipality_code = g.municipality_code and ms.year = g.year
    left join ref.employees emp
      on emp.municipality_code = g.municipality_code and emp.year = g.year
    left join ref.employees bemp
      on bemp.municipality_code = g.municipality_code and bemp.year = r.baseline_year
    left join distance_by_today d
      on d.today_code = g.municipality_code and d.year = g.year
),
avoided as (
    -- Bounded next by the baseline trips (least() ignores NULLs, so the bound is guarded).
    select
        *,
        avoided_at(growth_central, has_export, year = baseline_year, declared_replaced_trips)
            as unbounded_central,
        avoided_at(growth_low, has_export, year = baseline_year, declared_replaced_trips)
            as unbounded_low,
        avoided_at(growth_high, has_export, year = baseline_year, declared_replaced_trips)
            as unbounded_high,
        -- A year whose estimate rests on declared replacements alone takes their rate (1).
        case
            when coalesce(declared_replaced_trips, 0) > 0 and coalesce(growth_central, 0) = 0
                then 'declared'
            else substitution_source
        end as rate_source,
        coalesce(claims_km_per_trip, distance_km) as km_per_trip_used,
        case
            when claims_km_per_trip is not null then 'claims'
            when distance_km is not null then 'distances.csv'
        end as distance_source
    from joined
),
bounded as (
    select
        *,
        at_most(unbounded_central, bound_trips) as avoided_central,
        at_most(unbounded_low, bound_trips) as avoided_low_trips,
        at_most(unbounded_high, bound_trips) as avoided_high_trips,
        coalesce(unbounded_high > bound_trips, false) as estimate_capped
    from avoided
),
factored as (
    select
        *,
        factor_of('co2_g_per_km', country, year) as co2_g_per_km,
        factor_of('energy_kwh_per_km', country, year) as kwh_per_km,
        factor_of('mileage_rate_per_km', country, year) as mileage_rate,
        factor_of('hourly_cost', country, year) as hourly_cost,
        factor_of('avg_speed_kmh', country, year) as speed_kmh,
        factor_of('co2_g_per_km', country, baseline_year) as baseline_co2_g_per_km,
        coalesce(claims_car_share, 1.0) as car_share_used,
        factor_versions(country, year, distance_version) as factors_version
    from bounded
),
distances as (
    -- km of the estimated trips at the claims' own km per trip, plus the declared km.
    select
        *,
        not_negative(avoided_central - coalesce(declared_replaced_trips, 0)) * km_per_trip_used
            as estimated_km,
        not_negative(avoided_low_trips - coalesce(declared_replaced_trips, 0)) * km_per_trip_used
            as estimated_low_km,
        not_negative(avoided_high_trips - coalesce(declared_replaced_trips, 0)) * km_per_trip_used
            as estimated_high_km,
        coalesce(declared_km, case when declared_replaced_trips is not null then 0.0 end)
            as declared_avoided_km
    from factored
),
figures as (
    select
        *,
        estimated_km + coalesce(declared_avoided_km, 0) as avoided_km_central,
        (estimated_km * car_share_used + coalesce(declared_avoided_km, 0)) * co2_g_per_km / 1000.0
            as co2_central,
        (estimated_low_km * car_share_used + coalesce(declared_avoided_km, 0)) * co2_g_per_km
            / 1000.0 as co2_low,
        (estimated_high_km * car_share_used + coalesce(declared_avoided_km, 0)) * co2_g_per_km
            / 1000.0 as co2_high,
        declared_avoided_km * co2_g_per_km / 1000.0 as declared_co2,
        case when baseline_trips > 0 and trips is not null
            then 100.0 * (1 - trips / baseline_trips) end as measured_pct,
        case when baseline_trips > 0 and avoided_central is not null
            then 100.0 * avoided_central / baseline_trips end as estimated_pct,
        case when baseline_trips > 0 and avoided_central is not null
            then 100.0 * avoided_low_trips / baseline_trips end as estimated_low_pct,
        case when baseline_trips > 0 and avoided_central is not null
            then 100.0 * avoided_high_trips / baseline_trips end as estimated_high_pct,
        case when baseline_trips > 0 and trips is not null and employees > 0
                  and baseline_employees > 0
            then 100.0 * (1 - (trips / employees) / (baseline_trips / baseline_employees))
        end as measured_per_employee_pct
    from distances
),
judged as (
    select
        *,
        case
            when year = baseline_year then 'baseline'
            when target_steps = 0 then 'no target'
            when trips is null and not has_export then 'no data'
            when measured_pct is not null and target_pct > 0
                then case when measured_pct >= target_pct then 'met' else 'behind' end
            when measured_pct is not null
                then case when measured_pct >= year_target_pct then 'on track' else 'behind' end
            when estimated_pct is null then 'uncertain'
            when rate_source = 'default' or estimate_capped then 'uncertain'
            when estimated_low_pct >= year_target_pct then 'met (estimated)'
            when estimated_high_pct < year_target_pct then 'behind (estimated)'
            else 'uncertain'
        end as status,
        case
            when measured_pct is not null then 'measured'
            when estimated_pct is not null then 'estimated'
        end as status_basis
    from figures
),
reference_year as (
    -- The measured CO2 change of meeting travel is split against the baseline year's claims,
    -- or, where the baseline year has none (Knutepunkt: 1991), the earliest year with claims.
    select
        j.*,
        ry.year as co2_reference_year,
        ry.trip_car_km as reference_car_km,
        factor_of('co2_g_per_km', j.country, ry.year) as reference_co2_g_per_km
    from judged j
    left join (
        select
            r.programme,
            t.municipality_code,
            arg_min(t.year, t.year <> r.baseline_year) as year,
            arg_min(t.trip_car_km, t.year <> r.baseline_year) as trip_car_km
        from marts.measured_travel t
        join marts.substitution_rates r
          on r.municipality_code = t.municipality_code
        group by r.programme, t.municipality_code
    ) ry
      on ry.programme = j.programme and ry.municipality_code = j.municipality_code
)
select
    programme,
    municipality_code,
    municipality,
    year,
    baseline_year,
    target_pct,
    virtual_meetings,
    round(avoided_central, 1) as avoided_trips,
    round(avoided_km_central, 1) as avoided_km,
    round(co2_central, 1) as co2_avoided_kg,
    round(
        (estimated_km * car_share_used + coalesce(declared_avoided_km, 0)) * kwh_per_km / 1000.0,
        3
    ) as energy_avoided_mwh,
    round(
        coalesce(
            not_negative(avoided_central - coalesce(declared_replaced_trips, 0))
                * claims_cost_per_trip,
            estimated_km * mileage_rate
        ) + coalesce(declared_avoided_km, 0) * mileage_rate,
        0
    ) as cost_avoided,
    currency,
    baseline_trips,
    trips,
    round(measured_pct, 1) as reduction_measured_pct,
    round(estimated_pct, 1) as reduction_estimated_pct,
    status,
    round(avoided_low_trips, 1) as avoided_trips_low,
    round(avoided_high_trips, 1) as avoided_trips_high,
    round(estimated_low_pct, 1) as reduction_estimated_low_pct,
    round(estimated_high_pct, 1) as reduction_estimated_high_pct,
    round(avoided_km_central / speed_kmh, 1) as hours_saved,
    next_milestone_year,
    next_milestone_pct,
    round(next_milestone_pct - coalesce(measured_pct, estimated_pct), 1)
        as gap_to_next_milestone_pct,
    co2_g_per_km,
    factors_version || ';rate:' || rate_source
        || coalesce(' ' || calibration_years, '') as factor_version,
    status_basis,
    employees,
    baseline_employees,
    round(trips / employees, 3) as trips_per_employee,
    round(baseline_trips / baseline_employees, 3) as baseline_trips_per_employee,
    round(measured_per_employee_pct, 1) as reduction_measured_per_employee_pct,
    round(virtual_meetings / employees, 3) as virtual_meetings_per_employee,
    round(avoided_central / employees, 4) as avoided_trips_per_employee,
    round(co2_central / employees, 3) as co2_avoided_kg_per_employee,
    round(trip_km, 1) as trip_km,
    round(trip_car_km * co2_g_per_km / 1000.0, 1) as trip_co2_kg,
    round(trip_car_km * co2_g_per_km / 1000.0 / employees, 3) as trip_co2_kg_per_employee,
    baseline_co2_g_per_km,
    round(co2_low, 1) as co2_avoided_low_kg,
    round(co2_high, 1) as co2_avoided_high_kg,
    round(eligible_remote_person_meetings, 1) as eligible_remote_person_meetings,
    round(baseline_eligible_remote_person_meetings, 1) as baseline_eligible_remote_person_meetings,
    round(
        not_negative(eligible_remote_person_meetings - baseline_eligible_remote_person_meetings), 1
    ) as incremental_remote_person_meetings,
    declared_replaced_trips,
    round(declared_avoided_km, 1) as declared_avoided_km,
    round(declared_co2, 1) as declared_co2_avoided_kg,
    round(substitution_rate, 4) as substitution_rate,
    round(substitution_rate_low, 4) as substitution_rate_low,
    round(substitution_rate_high, 4) as substitution_rate_high,
    rate_source as substitution_source,
    calibration_years,
    round(calibration_loo_error_pp, 1) as calibration_loo_error_pp,
    round(trips + avoided_central, 1) as counterfactual_trips,
    round(100.0 * avoided_central / nullif(trips + avoided_central, 0), 1)
        as avoided_share_of_counterfactual_pct,
    round(estimated_pct - measured_pct, 1) as reconciliation_gap_pct,
    estimate_capped,
    round(
        case
            when status in ('met', 'behind', 'on track', 'baseline') then measured_pct
            when status = 'met (estimated)' then estimated_low_pct
            when status = 'behind (estimated)' then estimated_high_pct
            when status = 'uncertain' then estimated_pct
        end,
        1
    ) as status_judged_pct,
    round(year_target_pct, 1) as year_target_pct,
    round(km_per_trip_used, 1) as km_per_trip_used,
    distance_source,
    round(car_share_used, 3) as car_share_used,
    round(avoided_km_central / speed_kmh * hourly_cost, 0) as time_value_avoided,
    co2_reference_year,
    co2_reference_year <> baseline_year as co2_reference_is_proxy,
    round(
        100.0 * trip_car_km * (co2_g_per_km - reference_co2_g_per_km)
            / nullif(reference_car_km * reference_co2_g_per_km, 0),
        1
    ) as fleet_effect_pct,
    round(100.0 * (trip_car_km - reference_car_km) / nullif(reference_car_km, 0), 1)
        as activity_effect_pct
from reference_year
order by programme, municipality_code, year;
