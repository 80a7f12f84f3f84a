-- The same figures under the codes the exports carried (before the 2020 Norwegian mergers: Søgne
-- 1018 and Songdalen 1017 under Kristiansand 4204, Granvin 1234 under Voss 4621). Today's
-- municipality's estimate is shared among its codes by their eligible meetings above the baseline.

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
    select historical_code as code, year from marts.eligible_meetings
    union
    select code, year from measured_by_code
),
shares as (
    select
        e.*,
        e.eligible_remote_person_meetings
            / nullif(sum(e.eligible_remote_person_meetings)
                over (partition by e.municipality_code, e.year), 0) as meeting_share,
        e.declared_replaced_trips
            / nullif(sum(e.declared_replaced_trips)
                over (partition by e.municipality_code, e.year), 0) as declared_share
    from marts.eligible_meetings e
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
        s.virtual_meetings,
        s.meetings_replacing_no_trip,
        s.declared_replaced_trips,
        coalesce(s.meeting_share, 0) as meeting_share,
        coalesce(s.declared_share, 0) as declared_share,
        s.year is not null as has_export,
        p.declared_replaced_trips as today_declared_trips,
        p.declared_avoided_km as today_declared_km,
        p.declared_co2_avoided_kg as today_declared_co2,
        p.avoided_trips,
        p.avoided_trips_low,
        p.avoided_trips_high,
        p.avoided_km,
        p.co2_avoided_kg,
        p.km_per_trip_used,
        p.factor_version,
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
    left join shares s
      on s.historical_code = k.code and s.year = k.year
    left join marts.municipality_progress p
      on p.programme = pm.programme and p.municipality_code = c.today_code and p.year = k.year
    left join measured_by_code ms
      on ms.code = k.code and ms.year = k.year
),
allocated as (
    -- Declared trips go to the code that declared them; the estimated rest by meeting share.
    select
        *,
        coalesce(today_declared_trips, 0) * declared_share as own_declared_trips,
        coalesce(today_declared_km, 0) * declared_share as own_declared_km,
        coalesce(today_declared_co2, 0) * declared_share as own_declared_co2
    from joined
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
    virtual_meetings,
    meetings_replacing_no_trip,
    round(case when has_export then
        own_declared_trips + (avoided_trips - coalesce(today_declared_trips, 0)) * meeting_share
    end, 1) as avoided_trips,
    round(case when has_export then
        own_declared_trips
        + (avoided_trips_low - coalesce(today_declared_trips, 0)) * meeting_share
    end, 1) as avoided_trips_low,
    round(case when has_export then
        own_declared_trips
        + (avoided_trips_high - coalesce(today_declared_trips, 0)) * meeting_share
    end, 1) as avoided_trips_high,
    km_per_trip_used as round_trip_km,
    round(case when has_export then
        own_declared_km + (avoided_km - coalesce(today_declared_km, 0)) * meeting_share
    end, 1) as avoided_km,
    round(case when has_export then
        own_declared_co2 + (co2_avoided_kg - coalesce(today_declared_co2, 0)) * meeting_share
    end, 1) as co2_avoided_kg,
    trips,
    round(trip_km, 1) as trip_km,
    factor_version
from allocated
order by programme, historical_code, year;
