-- Eligible remote-person meetings per municipality (today's code), the code the export carried, and
-- year (docs/methodology.md): audio-only calls and one-to-one calls replace no trip; a video room's
-- participants are sites, and each room counts its own share of a meeting ((sites - 1) / sites), so
-- a meeting between two rooms of the programme is counted once; person-level rows count the
-- person's own attended meetings. Rows that know their people and days carry a cap (at most one
-- trip per person and day), applied after the rate in municipality_progress; rows declaring the
-- trips they replaced are kept out and counted as declared (rate 1).

create or replace table marts.eligible_meetings as
with activity as (
    select
        c.today_code as municipality_code,
        a.municipality_code as historical_code,
        c.country,
        cast(year(a.period_start) as integer) as year,
        a.platform,
        a.meetings,
        coalesce(a.media = 'audio' or a.one_to_one, false) as replaces_no_trip,
        a.declared_trips is not null as declared,
        a.declared_trips,
        a.declared_km,
        a.max_trips,
        case
            when a.person_meetings is not null then a.person_meetings
            when a.participants is not null and a.meetings > 0 and a.platform = 'video_room'
                then a.meetings * greatest(a.participants / a.meetings - 1.0, 0.0)
                    / greatest(a.participants / a.meetings, 1.0)
            when a.participants is not null and a.meetings > 0
                then a.meetings * greatest(a.participants / a.meetings - 1.0, 0.0)
            else a.meetings * remote.value
        end as remote_person_meetings
    from meeting_rows() a
    join current_code c
      on c.code = a.municipality_code
    -- a join, not factor_of(): a lookup per staged row made DuckDB store every row first
    left join factor_by_year remote
      on remote.factor = 'remote_participants'
     and remote.country = c.country
     and remote.year = cast(year(a.period_start) as integer)
),
eligible as (
    select
        *,
        not replaces_no_trip and not declared as is_eligible
    from activity
)
select
    municipality_code,
    historical_code,
    any_value(country) as country,
    year,
    sum(meetings) as virtual_meetings,
    coalesce(sum(meetings) filter (where replaces_no_trip), 0) as meetings_replacing_no_trip,
    coalesce(sum(remote_person_meetings) filter (where is_eligible and max_trips is null), 0)
        as uncapped_person_meetings,
    coalesce(
        list({'person_meetings': remote_person_meetings, 'max_trips': max_trips})
            filter (where is_eligible and max_trips is not null),
        []
    ) as capped_rows,
    coalesce(
        sum(least(remote_person_meetings, max_trips)) filter (where is_eligible), 0
    ) as eligible_remote_person_meetings,
    sum(declared_trips) filter (where declared) as declared_replaced_trips,
    sum(declared_km) filter (where declared) as declared_km,
    string_agg(distinct platform, ', ' order by platform) as platforms
from eligible
group by municipality_code, historical_code, year
order by all;
