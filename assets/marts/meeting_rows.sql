-- The staged meetings a mart is built from: every row, or, while mart_scope holds export codes
-- and years (an incremental build, assets/marts/increment.py), the rows of those only.
create temp table if not exists mart_scope (code varchar, year integer);

create or replace temp macro meeting_rows() as table
select * from staging.meeting_activity
where not exists (from mart_scope)
union all
select a.* from staging.meeting_activity a
semi join mart_scope s
  on s.code = a.municipality_code
 and s.year is not distinct from cast(year(a.period_start) as integer);
