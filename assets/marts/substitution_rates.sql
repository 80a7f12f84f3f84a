-- The substitution rate per programme member (docs/methodology.md): calibrated on the
-- municipality's own measured decline, s = sum(max(T_b - T_c, 0)) / sum(max(E_c - E_b, 0)) over
-- calibration years c (claims and exports both present, not the baseline year, not kept out in
-- ref.calibration), clipped to [0, 1]; else pooled over the programme's members; else the default
-- band of ref.factors. The band spans the yearly ratios, widened by the leave-one-year-out error;
-- its high end is not clipped at 1 (a room site is not one person, and where the export knows its
-- people the person-day cap still holds). Calibration credits virtual meetings with the whole
-- decline, so s is an upper bound on true substitution.

create or replace table marts.substitution_rates as
with members as (
    select pm.programme, pm.municipality_code, p.baseline_year, m.country
    from ref.programme_members pm
    join ref.programmes p
      on p.programme = pm.programme
    join ref.municipalities m
      on m.code = pm.municipality_code
),
eligible as (
    select
        municipality_code,
        year,
        greatest(
            sum(eligible_remote_person_meetings) - coalesce(sum(declared_replaced_trips), 0), 0
        ) as person_meetings
    from marts.eligible_meetings
    group by municipality_code, year
),
based as (
    select
        mb.*,
        tb.trips as baseline_trips,
        coalesce(eb.person_meetings, 0) as baseline_person_meetings,
        eb.person_meetings is null as baseline_without_export
    from members mb
    -- The baseline year's trips and eligible meetings of each member.
    left join marts.measured_travel tb on tb.year = mb.baseline_year
        and tb.municipality_code = mb.municipality_code
    left join eligible eb on eb.year = mb.baseline_year
        and eb.municipality_code = mb.municipality_code
),
pairs as (
    select
        b.programme,
        b.municipality_code,
        t.year,
        b.baseline_trips,
        greatest(b.baseline_trips - t.trips, 0) as decline,
        greatest(e.person_meetings - b.baseline_person_meetings, 0) as growth
    from based b
    join marts.measured_travel t
      on t.municipality_code = b.municipality_code
    join eligible e
      on e.municipality_code = b.municipality_code and e.year = t.year
    where b.baseline_trips > 0
      and t.year <> b.baseline_year
      and not exists (
          select 1
          from ref.calibration k
          where not k.calibrate
            and k.municipality_code in (b.municipality_code, '*')
            and t.year between k.year_from and k.year_to
      )
),
scoped as (
    select programme, municipality_code as scope, * exclude (programme) from pairs
    union all
    select programme, '*' as scope, * exclude (programme) from pairs
),
totals as (
    select
        *,
        sum(decline) over w as total_decline,
        sum(growth) over w as total_growth,
        count(*) over w as years
    from scoped
    window w as (partition by programme, scope)
),
left_out as (
    select
        *,
        -- A yearly ratio may pass 1: a video-room site can stand for several travellers.
        case when growth > 0 then decline / growth end as yearly_rate,
        case when total_growth - growth > 0
            then least((total_decline - decline) / (total_growth - growth), 1.0)
        end as rate_without_year
    from totals
),
calibrations as (
    select
        programme,
        scope,
        least(sum(decline) / nullif(sum(growth), 0), 1.0) as rate,
        min(yearly_rate) as lowest_yearly_rate,
        max(yearly_rate) as highest_yearly_rate,
        avg(abs(rate_without_year - yearly_rate)) as loo_rate_error,
        avg(100.0 * abs(rate_without_year * growth - decline) / baseline_trips)
            filter (where rate_without_year is not null) as loo_error_pp,
        string_agg(distinct cast(year as varchar), ', ' order by cast(year as varchar))
            as calibration_years,
        min(year) as first_year,
        max(year) as last_year
    from left_out
    group by programme, scope
    having sum(growth) > 0
),
banded as (
    select
        *,
        -- One calibration year has no leave-one-out error: the band is then [0, 2s].
        greatest(
            least(lowest_yearly_rate, rate) - coalesce(loo_rate_error, rate), 0.0
        ) as rate_low,
        greatest(highest_yearly_rate, rate) + coalesce(loo_rate_error, rate) as rate_high
    from calibrations
),
claims_window as (
    -- The claims' own km, car share and cost per meeting trip, over the calibration window
    -- (its years and the baseline year), else over every year with claims.
    select
        b.programme,
        b.municipality_code,
        sum(t.trip_km) / sum(t.trips) as km_per_trip,
        sum(t.trip_car_km) / nullif(sum(t.trip_km), 0) as car_share,
        sum(t.trip_cost) / sum(t.trips) as cost_per_trip
    from based b
    join marts.measured_travel t
      on t.municipality_code = b.municipality_code
    left join banded own
      on own.programme = b.programme and own.scope = b.municipality_code
    where own.scope is null
       or t.year = b.baseline_year
       or list_contains(string_split(own.calibration_years, ', '), cast(t.year as varchar))
    group by b.programme, b.municipality_code
)
select
    b.programme,
    b.municipality_code,
    b.baseline_year,
    b.baseline_trips,
    proxy.trips as proxy_baseline_trips,
    b.baseline_person_meetings as baseline_eligible_remote_person_meetings,
    b.baseline_without_export,
    case
        when own.rate is not null then 'calibrated'
        when pooled.rate is not null then 'programme'
        else 'default'
    end as substitution_source,
    coalesce(own.rate, pooled.rate, factor_of('substitution_rate_central', b.country,
                                              b.baseline_year)) as substitution_rate,
    coalesce(own.rate_low, pooled.rate_low, factor_of('substitution_rate_low', b.country,
                                                      b.baseline_year)) as substitution_rate_low,
    coalesce(own.rate_high, pooled.rate_high, factor_of('substitution_rate_high', b.country,
                                                        b.baseline_year)) as substitution_rate_high,
    coalesce(own.calibration_years, pooled.calibration_years) as calibration_years,
    coalesce(own.loo_error_pp, pooled.loo_error_pp) as calibration_loo_error_pp,
    cw.km_per_trip as claims_km_per_trip,
    cw.car_share as claims_car_share,
    cw.cost_per_trip as claims_cost_per_trip
from based b
left join banded own
  on own.programme = b.programme and own.scope = b.municipality_code
left join banded pooled
  on pooled.programme = b.programme and pooled.scope = '*'
left join (
    select municipality_code, arg_min(trips, year) as trips
    from marts.measured_travel
    group by municipality_code
) proxy
  on proxy.municipality_code = b.municipality_code
left join claims_window cw
  on cw.programme = b.programme and cw.municipality_code = b.municipality_code
order by b.programme, b.municipality_code;
