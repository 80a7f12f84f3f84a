-- The same figures under the codes the exports carried (before the 2020 Norwegian mergers: Søgne
-- 1018 and Songdalen 1017 under Kristiansand 4204, Granvin 1234 under Voss 4621).

create or replace temp table measured_by_code as
select
    t.municipality_code as code,
    cast(year(t.trip_date) as integer) as year,
    count(*) filter (where t.is_meeting) as trips,
    sum(t.distance_km) filter (where t.is_meeting) as trip_km
from staging.trips t
group by all;

create or replace table marts.municipality_progress_historical as
with keys as (
    select code, year from activity_by_code
    union
    select code, year from measured_by_code
),
joined as (
    select
        pm.programme,
        k.code as historical_code,
        c.name as historical_name,
        m.valid_from as code_valid_from,
        m.valid_to as code_valid_to,
        c.today_code as municipality_code,
        today.name as municipality,
        k.year,
        c.country,
        a.meetings,
        a.meetings_replacing_no_trip,
        a.remote_person_meetings,
        a.remote_person_km,
        a.round_trip_km,
        a.distance_version,
        ms.trips,
        ms.trip_km
    from keys k
    join current_code c
      on c.code = k.code
    join ref.municipalities m
      on m.code = k.code
    join ref.municipalities today
      on today.code = c.today_code
    join ref.programme_members pm
      on pm.municipality_code = c.today_code
    left join activity_by_code a
      on a.code = k.code and a.year = k.year
    left join measured_by_code ms
      on ms.code = k.code and ms.year = k.year
)
select
    programme,
    historical_code,
    historical_name,
    code_valid_from,
    code_valid_to,
    municipality_code,
    municipality,
    year,
    coalesce(meetings, 0) as virtual_meetings,
    coalesce(meetings_replacing_no_trip, 0) as meetings_replacing_no_trip,
    round(
        coalesce(remote_person_meetings, 0)
            * factor_of('substitution_rate_central', country, year),
        1
    ) as avoided_trips,
    round(
        coalesce(remote_person_meetings, 0) * factor_of('substitution_rate_low', country, year),
        1
    ) as avoided_trips_low,
    round(
        coalesce(remote_person_meetings, 0) * factor_of('substitution_rate_high', country, year),
        1
    ) as avoided_trips_high,
    round_trip_km,
    round(
        coalesce(remote_person_km, 0) * factor_of('substitution_rate_central', country, year),
        1
    ) as avoided_km,
    round(
        coalesce(remote_person_km, 0) * factor_of('substitution_rate_central', country, year)
            * factor_of('co2_g_per_km', country, year) / 1000.0,
        1
    ) as co2_avoided_kg,
    trips,
    round(trip_km, 1) as trip_km,
    factor_versions(country, year, distance_version) as factor_version
from joined
order by programme, historical_code, year;
