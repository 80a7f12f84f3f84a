-- Progress against the stepped targets, measured (travel claims) and estimated (meetings).

-- Meetings per municipality (today's code) and year, from activity_by_code (common.sql).
create or replace temp table estimated as
select
    today_code,
    year,
    any_value(country) as country,
    sum(meetings) as virtual_meetings,
    sum(remote_person_meetings) as remote_person_meetings,
    sum(remote_person_km) as remote_person_km,
    max(distance_version) as distance_version
from activity_by_code
group by all;

create or replace temp table measured as
select
    c.today_code,
    cast(year(t.trip_date) as integer) as year,
    count(*) filter (where t.is_meeting) as trips,
    sum(t.distance_km) filter (where t.is_meeting) as trip_km,
    -- Only car trips have an emission factor here; bus and train are left out of trip CO2.
    coalesce(sum(t.distance_km) filter (where t.is_meeting and t.mode ilike '%bil%'), 0)
        as trip_car_km
from staging.trips t
join current_code c
  on c.code = t.municipality_code
group by all;

create or replace temp table grid as
with programme_years as (
    select pm.programme, pm.municipality_code as today_code, p.baseline_year, y.year
    from ref.programme_members pm
    join ref.programmes p
      on p.programme = pm.programme
    join (
        select distinct year from estimated
        union
        select distinct year from measured
    ) y
      on true
    union
    select pm.programme, pm.municipality_code, p.baseline_year, p.baseline_year
    from ref.programme_members pm
    join ref.programmes p
      on p.programme = pm.programme
)
select distinct * from programme_years;

create or replace temp table targets_by_year as
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
left join ref.targets t
  on t.programme = g.programme
group by all;

create or replace table marts.municipality_progress as
with joined as (
    select
        g.programme,
        g.today_code as municipality_code,
        m.name as municipality,
        m.country,
        g.year,
        g.baseline_year,
        tt.target_pct,
        tt.next_milestone_year,
        tt.next_milestone_pct,
        tt.upcoming_step_year,
        tt.upcoming_step_pct,
        tt.target_steps,
        e.virtual_meetings,
        e.remote_person_meetings,
        e.remote_person_km,
        e.distance_version,
        ms.trips,
        ms.trip_km,
        ms.trip_car_km,
        b.trips as baseline_trips,
        emp.employees,
        bemp.employees as baseline_employees,
        m.currency
    from grid g
    join ref.municipalities m
      on m.code = g.today_code
    join targets_by_year tt
      on tt.programme = g.programme and tt.year = g.year
    left join estimated e
      on e.today_code = g.today_code and e.year = g.year
    left join measured ms
      on ms.today_code = g.today_code and ms.year = g.year
    left join measured b
      on b.today_code = g.today_code and b.year = g.baseline_year
    left join ref.employees emp
      on emp.municipality_code = g.today_code and emp.year = g.year
    left join ref.employees bemp
      on bemp.municipality_code = g.today_code and bemp.year = g.baseline_year
),
factored as (
    select
        *,
        factor_of('substitution_rate_low', country, year) as sub_low,
        factor_of('substitution_rate_central', country, year) as sub_central,
        factor_of('substitution_rate_high', country, year) as sub_high,
        factor_of('co2_g_per_km', country, year) as co2_g_per_km,
        factor_of('energy_kwh_per_km', country, year) as kwh_per_km,
        factor_of('mileage_rate_per_km', country, year) as mileage_rate,
        factor_of('hourly_cost', country, year) as hourly_cost,
        factor_of('avg_speed_kmh', country, year) as speed_kmh,
        factor_of('co2_g_per_km', country, baseline_year) as baseline_co2_g_per_km,
        factor_versions(country, year, distance_version) as factor_version
    from joined
),
estimates as (
    select
        *,
        remote_person_meetings * sub_central as avoided_trips,
        remote_person_meetings * sub_low as avoided_trips_low,
        remote_person_meetings * sub_high as avoided_trips_high,
        remote_person_km * sub_central as avoided_km
    from factored
),
reductions as (
    select
        *,
        case when baseline_trips > 0 and trips is not null
            then 100.0 * (1 - trips / baseline_trips) end as reduction_measured_pct,
        case when baseline_trips > 0 and avoided_trips is not null
            then 100.0 * avoided_trips / baseline_trips end as reduction_estimated_pct,
        case when baseline_trips > 0 and avoided_trips is not null
            then 100.0 * avoided_trips_low / baseline_trips end as reduction_estimated_low_pct,
        case when baseline_trips > 0 and avoided_trips is not null
            then 100.0 * avoided_trips_high / baseline_trips end as reduction_estimated_high_pct,
        case when baseline_trips > 0 and trips is not null and employees > 0
                  and baseline_employees > 0
            then 100.0 * (1 - (trips / employees) / (baseline_trips / baseline_employees))
        end as reduction_measured_per_employee_pct
    from estimates
),
judged as (
    select
        *,
        coalesce(reduction_measured_pct, reduction_estimated_pct) as reduction_judged_pct,
        case
            when reduction_measured_pct is not null then 'measured'
            when reduction_estimated_pct is not null then 'estimated'
        end as status_basis
    from reductions
)
select
    programme,
    municipality_code,
    municipality,
    year,
    baseline_year,
    target_pct,
    coalesce(virtual_meetings, 0) as virtual_meetings,
    round(coalesce(avoided_trips, 0), 1) as avoided_trips,
    round(coalesce(avoided_km, 0), 1) as avoided_km,
    round(coalesce(avoided_km, 0) * co2_g_per_km / 1000.0, 1) as co2_avoided_kg,
    round(coalesce(avoided_km, 0) * kwh_per_km / 1000.0, 3) as energy_avoided_mwh,
    round(
        coalesce(avoided_km, 0) * mileage_rate
        + coalesce(avoided_km, 0) / speed_kmh * hourly_cost,
        0
    ) as cost_avoided,
    currency,
    baseline_trips,
    trips,
    round(reduction_measured_pct, 1) as reduction_measured_pct,
    round(reduction_estimated_pct, 1) as reduction_estimated_pct,
    case
        when target_steps = 0 then 'no target'
        when year = baseline_year and baseline_trips is not null then 'baseline'
        when reduction_judged_pct is null then 'no data'
        when target_pct > 0 and reduction_judged_pct >= target_pct then 'met'
        when target_pct > 0 then 'behind'
        when reduction_judged_pct >= upcoming_step_pct * (year - baseline_year)
            / greatest(1, upcoming_step_year - baseline_year) then 'on track'
        else 'behind'
    end as status,
    round(coalesce(avoided_trips_low, 0), 1) as avoided_trips_low,
    round(coalesce(avoided_trips_high, 0), 1) as avoided_trips_high,
    round(reduction_estimated_low_pct, 1) as reduction_estimated_low_pct,
    round(reduction_estimated_high_pct, 1) as reduction_estimated_high_pct,
    round(coalesce(avoided_km, 0) / speed_kmh, 1) as hours_saved,
    next_milestone_year,
    next_milestone_pct,
    round(next_milestone_pct - reduction_judged_pct, 1) as gap_to_next_milestone_pct,
    co2_g_per_km,
    factor_version,
    status_basis,
    employees,
    baseline_employees,
    round(trips / employees, 3) as trips_per_employee,
    round(baseline_trips / baseline_employees, 3) as baseline_trips_per_employee,
    round(reduction_measured_per_employee_pct, 1) as reduction_measured_per_employee_pct,
    round(coalesce(virtual_meetings, 0) / employees, 3) as virtual_meetings_per_employee,
    round(coalesce(avoided_trips, 0) / employees, 4) as avoided_trips_per_employee,
    round(coalesce(avoided_km, 0) * co2_g_per_km / 1000.0 / employees, 3)
        as co2_avoided_kg_per_employee,
    round(trip_km, 1) as trip_km,
    round(trip_car_km * co2_g_per_km / 1000.0, 1) as trip_co2_kg,
    round(trip_car_km * co2_g_per_km / 1000.0 / employees, 3) as trip_co2_kg_per_employee,
    baseline_co2_g_per_km,
    round(coalesce(avoided_km, 0) * co2_g_per_km / 1000.0 * sub_low / sub_central, 1)
        as co2_avoided_low_kg,
    round(coalesce(avoided_km, 0) * co2_g_per_km / 1000.0 * sub_high / sub_central, 1)
        as co2_avoided_high_kg
from judged
order by programme, municipality_code, year;
