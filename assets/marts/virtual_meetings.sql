-- Virtual meetings per programme, municipality (today's code), year and platform.

create or replace table marts.virtual_meetings as
select
    pm.programme,
    c.today_code as municipality_code,
    cast(year(a.period_start) as integer) as year,
    a.platform,
    sum(a.meetings) as meetings,
    round(sum(a.duration_s) / 3600.0, 2) as hours
from meeting_rows() a
join current_code c
  on c.code = a.municipality_code
join ref.programme_members pm
  on pm.municipality_code = c.today_code
group by all
order by all;
