-- Shared by the marts: codes roll up to today's municipality (successor_code), and factors
-- are looked up per country and year (a country's own value before the '*' default).

create schema if not exists marts;

create or replace temp view current_code as
select m.code, coalesce(m.successor_code, m.code) as today_code, m.country
from ref.municipalities m;

create or replace temp view factor_values as
select factor, country, year_from, year_to, value, version
from ref.factors;

create or replace temp macro factor_of(name, ctry, yr) as (
    select f.value
    from factor_values f
    where f.factor = name and f.country in (ctry, '*') and yr between f.year_from and f.year_to
    order by f.country = '*', f.year_to - f.year_from
    limit 1
);

create or replace temp macro factor_version_of(name, ctry, yr) as (
    select f.version
    from factor_values f
    where f.factor = name and f.country in (ctry, '*') and yr between f.year_from and f.year_to
    order by f.country = '*', f.year_to - f.year_from
    limit 1
);
