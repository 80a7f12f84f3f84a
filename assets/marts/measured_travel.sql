-- Trips to meetings from travel and mileage claims per municipality (today's code) and year:
-- the measured side that progress is judged on and that calibrates the estimate.

create or replace table marts.measured_travel as
select
    c.today_code as municipality_code,
    any_value(c.country) as country,
    cast(year(t.trip_date) as integer) as year,
    count(*) as trips,
    sum(t.distance_km) as trip_km,
    coalesce(sum(t.distance_km) filter (where t.mode ilike '%bil%'), 0) as trip_car_km,
    sum(t.cost) as trip_cost,
    any_value(t.currency) as currency
from staging.trips t
join current_code c
  on c.code = t.municipality_code
where t.is_meeting
group by c.today_code, cast(year(t.trip_date) as integer)
order by all;
