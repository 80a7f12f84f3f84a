-- Shared by the marts: codes roll up to today's municipality (successor_code), factors are
-- looked up per country and year (a country's own value before the '*' default), and distances
-- town hall to town hall (a pair inside the programme before the municipality's default).

create schema if not exists marts;

create or replace temp view current_code as
select m.code, coalesce(m.successor_code, m.code) as today_code, m.country, m.name
from ref.municipalities m;

create or replace temp view factor_values as
select factor, country, year_from, year_to, value, version, method
from ref.factors;

-- One row per factor, country and year, chosen once: a country's own value before the '*'
-- default, the narrowest validity period first. Lookups are then plain equality matches.
create or replace temp table factor_by_year as
with countries as (
    select distinct country from ref.municipalities
    union
    select '*'
),
candidates as (
    select
        f.factor,
        c.country,
        cast(y.year as integer) as year,
        f.value,
        f.version,
        f.method,
        row_number() over (
            partition by f.factor, c.country, y.year
            order by f.country = '*', f.year_to - f.year_from
        ) as rank
    from countries c
    join factor_values f
      on f.country in (c.country, '*')
    join range(1900, 2101) y(year)
      on y.year between f.year_from and f.year_to
)
select factor, country, year, value, version, method
from candidates
where rank = 1;

create or replace temp macro factor_of(name, ctry, yr) as (
    select fby.value
    from factor_by_year fby
    where fby.factor = name and fby.country = ctry and fby.year = yr
);

create or replace temp macro factor_version_of(name, ctry, yr) as (
    select fby.version
    from factor_by_year fby
    where fby.factor = name and fby.country = ctry and fby.year = yr
);

create or replace temp macro factor_method_of(name, ctry, yr) as (
    select fby.method
    from factor_by_year fby
    where fby.factor = name and fby.country = ctry and fby.year = yr
);

-- Exports name one municipality per row, not the other end of the meeting: a meeting is taken
-- to be with the programme's meeting place, so a town-hall pair whose other end is in the same
-- programme wins over the municipality's default distance, then today's municipality's default.
create or replace temp table distance_by_year as
with candidates as (
    select
        d.from_code,
        cast(y.year as integer) as year,
        d.round_trip_km,
        d.version,
        row_number() over (
            partition by d.from_code, y.year
            order by d.to_code is null, d.year_to - d.year_from, d.to_code
        ) as rank
    from ref.distances d
    join range(1900, 2101) y(year)
      on y.year between d.year_from and d.year_to
    where d.to_code is null
       or exists (
           select 1
           from current_code f
           join ref.programme_members pf
             on pf.municipality_code = f.today_code
           join current_code t
             on t.code = d.to_code
           join ref.programme_members pt
             on pt.municipality_code = t.today_code and pt.programme = pf.programme
           where f.code = d.from_code and d.to_code <> d.from_code
       )
)
select from_code, year, round_trip_km, version
from candidates
where rank = 1;

-- Bounds that keep NULL as NULL: DuckDB's least() and greatest() skip NULLs, so least(NULL, 300)
-- is 300 and "no export" would become 100 %. A NULL bound leaves the value as it is.
create or replace temp macro not_negative(x) as
    case when x is null then null else greatest(x, 0.0) end;

create or replace temp macro at_most(x, bound) as
    case when x is null then null when bound is null then x else least(x, bound) end;

-- Every factor a row uses, with its version: one version string when they all agree.
create or replace temp macro factor_versions(ctry, yr, dist_version) as (
    select
        case
            when count(distinct v) = 1 then any_value(v)
            else string_agg(k || ':' || coalesce(v, 'none'), ',' order by o)
        end
    from (
        select *
        from (
            values
                (1, 'co2', factor_version_of('co2_g_per_km', ctry, yr)),
                (2, 'kwh', factor_version_of('energy_kwh_per_km', ctry, yr)),
                (3, 'mileage', factor_version_of('mileage_rate_per_km', ctry, yr)),
                (4, 'hourly', factor_version_of('hourly_cost', ctry, yr)),
                (5, 'speed', factor_version_of('avg_speed_kmh', ctry, yr)),
                (6, 'sub', factor_version_of('substitution_rate_central', ctry, yr)),
                (7, 'sub_low', factor_version_of('substitution_rate_low', ctry, yr)),
                (8, 'sub_high', factor_version_of('substitution_rate_high', ctry, yr)),
                (9, 'remote', factor_version_of('remote_participants', ctry, yr)),
                (10, 'dist', dist_version)
        ) t(o, k, v)
    )
);
