-- Why one year's figure is weaker than another's: one row per programme, municipality (today's
-- code), year and flag, with a detail an analyst can read.

-- One row per distinct source, platform and period (every use below is a distinct or a sum of
-- meetings), so millions of single calls become a few thousand rows.
create or replace temp table activity_rows as
select
    c.today_code,
    c.country,
    a.municipality_code as code,
    a.export_kind,
    a.platform,
    a.period_start,
    a.period_end,
    sum(a.meetings) as meetings,
    cast(year(a.period_start) as integer) as year
from staging.meeting_activity a
join current_code c
  on c.code = a.municipality_code
group by all;

create or replace temp table trip_years as
select distinct c.today_code, cast(year(t.trip_date) as integer) as year
from staging.trips t
join current_code c
  on c.code = t.municipality_code
where t.is_meeting;

-- Lync -> Skype for Business -> Teams: the same meetings counted by different software.
create or replace temp table platform_change as
with per_year as (
    select
        today_code,
        year,
        list_sort(list(distinct platform)) as platforms
    from activity_rows
    where platform in ('lync', 'skype_for_business', 'teams')
    group by all
),
with_previous as (
    select
        *,
        lag(platforms) over (partition by today_code order by year) as previous_platforms,
        lag(year) over (partition by today_code order by year) as previous_year
    from per_year
)
select
    today_code,
    year,
    'platform_change' as flag,
    array_to_string(previous_platforms, ' + ') || ' (' || previous_year || ') -> '
        || array_to_string(platforms, ' + ') || ' (' || year || '): counts from different '
        || 'software are not like for like' as detail
from with_previous
where previous_platforms is not null and previous_platforms <> platforms
union all
select
    today_code,
    year,
    'platform_change',
    array_to_string(platforms, ' and ') || ' both report in ' || year
        || ': a migration inside the year'
from per_year
where len(platforms) > 1;

-- Months between a municipality's first and last export that no export covers.
create or replace temp table months_without_export as
with span as (
    select
        today_code,
        date_trunc('month', min(period_start)) as first_month,
        date_trunc('month', max(period_end)) as last_month
    from activity_rows
    group by all
),
months as (
    select s.today_code, cast(unnest(generate_series(s.first_month, s.last_month,
        interval 1 month)) as date) as month
    from span s
),
uncovered as (
    select m.today_code, m.month
    from months m
    where not exists (
        select 1
        from activity_rows a
        where a.today_code = m.today_code
          and a.period_start <= last_day(m.month)
          and a.period_end >= m.month
    )
)
select
    today_code,
    cast(year(month) as integer) as year,
    'months_without_export' as flag,
    count(*) || ' month(s) without any export: '
        || string_agg(strftime(month, '%Y-%m'), ', ' order by month) as detail
from uncovered
group by today_code, year(month);

-- Sources that only give totals: no meeting, no participant, no person behind the count.
create or replace temp table aggregate_only as
with per_kind as (
    select
        today_code,
        year,
        export_kind,
        sum(meetings) as meetings
    from activity_rows
    group by all
),
shares as (
    select
        *,
        sum(meetings) over (partition by today_code, year) as year_meetings
    from per_kind
)
select
    today_code,
    year,
    'aggregate_only' as flag,
    string_agg(
        case export_kind
            when 'telia_video_rooms' then 'video-room monthly totals'
            when 'resfritt_template' then 'resfritt template period totals'
            when 'teams_activity_counts' then 'Teams daily tenant counts'
            when 'teams_user_activity' then 'Teams per-user counts per report period'
        end || ': ' || meetings || ' of ' || year_meetings || ' meetings',
        '; ' order by export_kind
    ) || '. Participants are averages or missing and the one-trip-per-person-day cap '
        || 'cannot be applied' as detail
from shares
where export_kind in (
    'telia_video_rooms', 'resfritt_template', 'teams_activity_counts', 'teams_user_activity'
)
group by today_code, year;

create or replace temp table years_with_data as
select distinct today_code, year, country
from activity_rows
union
select t.today_code, t.year, c.country
from trip_years t
join current_code c
  on c.code = t.today_code;

-- A factor whose method changed between the baseline year and this year (Sweden: NEDC -> WLTP).
create or replace temp table factor_method_break as
with methods as (
    select
        y.today_code,
        y.year,
        p.baseline_year,
        used.factor,
        factor_method_of(used.factor, y.country, y.year) as method,
        factor_method_of(used.factor, y.country, p.baseline_year) as baseline_method
    from years_with_data y
    join ref.programme_members pm
      on pm.municipality_code = y.today_code
    join ref.programmes p
      on p.programme = pm.programme
    join (select distinct factor from factor_values where method is not null) used
      on true
)
select
    today_code,
    year,
    'factor_method_break' as flag,
    factor || ': ' || method || ' in ' || year || ', ' || baseline_method
        || ' in the baseline year ' || baseline_year
        || '; avoided CO2 is not like for like across the break' as detail
from methods
where method <> baseline_method;

create or replace temp table historical_codes as
select
    today_code,
    year,
    'historical_codes' as flag,
    'exports carry the former code(s) ' || string_agg(distinct code, ', ' order by code)
        || ', rolled up to today''s ' || today_code
        || ' (see marts.municipality_progress_historical)' as detail
from activity_rows
where code <> today_code
group by today_code, year
union all
select c.today_code, cast(year(t.trip_date) as integer), 'historical_codes',
    'travel claims carry the former code(s) '
        || string_agg(distinct c.code, ', ' order by c.code)
        || ', rolled up to today''s ' || c.today_code
from staging.trips t
join current_code c
  on c.code = t.municipality_code
where c.code <> c.today_code
group by c.today_code, year(t.trip_date);

create or replace temp table estimate_only as
select distinct
    a.today_code,
    a.year,
    'estimate_only' as flag,
    'virtual meetings but no travel claims: progress is estimated, not measured' as detail
from activity_rows a
where not exists (
    select 1 from trip_years t where t.today_code = a.today_code and t.year = a.year
);

create or replace table marts.data_quality_flags as
with flags as (
    select * from platform_change
    union all
    select * from months_without_export
    union all
    select * from aggregate_only
    union all
    select * from factor_method_break
    union all
    select * from historical_codes
    union all
    select * from estimate_only
)
select
    pm.programme,
    f.today_code as municipality_code,
    f.year,
    f.flag,
    f.detail
from flags f
join ref.programme_members pm
  on pm.municipality_code = f.today_code
order by all;
