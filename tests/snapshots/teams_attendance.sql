create table if not exists raw."teams_attendance" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "participant" varchar,
    "join_time" timestamp,
    "leave_time" timestamp,
    "duration_s" double,
    "email" varchar,
    "upn" varchar,
    "role" varchar
);
insert into raw."teams_attendance" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "participant", "join_time", "leave_time", "duration_s", "email", "upn", "role", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "participant", c1 as "join_time", c2 as "leave_time", c3 as "duration_s", c4 as "email", c5 as "upn", c6 as "role",
            case
                when c7 is not null then nullif(greatest(7, case when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 when nullif(trim(c11), '') is not null then 12 when nullif(trim(c10), '') is not null then 11 when nullif(trim(c9), '') is not null then 10 when nullif(trim(c8), '') is not null then 9 when nullif(trim(c7), '') is not null then 8 end),
                                                      7)
                when c6 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14], lambda c: c is not null))
            end as __cells,
            case
                when c7 is not null or c6 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."participant"), '') as __v0, nullif(rf_trim(t."join_time"), '') as __v1, nullif(rf_trim(t."leave_time"), '') as __v2, nullif(rf_trim(t."duration_s"), '') as __v3, nullif(rf_trim(t."email"), '') as __v4, nullif(rf_trim(t."upn"), '') as __v5, nullif(rf_trim(t."role"), '') as __v6, false as __total
            from src as t
        ),
        parsed as (
            select t.*, t.__v0 as __p0, rf_timestamp(t.__v1, ['%m/%d/%y, %I:%M:%S %p', '%m/%d/%Y, %I:%M:%S %p', '%d/%m/%y, %H:%M:%S', '%d/%m/%Y, %H:%M:%S', '%d/%m/%Y à %H:%M:%S', '%d.%m.%Y, %H:%M:%S', '%Y-%m-%d %H:%M:%S']::varchar[]) as __p1, rf_timestamp(t.__v2, ['%m/%d/%y, %I:%M:%S %p', '%m/%d/%Y, %I:%M:%S %p', '%d/%m/%y, %H:%M:%S', '%d/%m/%Y, %H:%M:%S', '%d/%m/%Y à %H:%M:%S', '%d.%m.%Y, %H:%M:%S', '%Y-%m-%d %H:%M:%S']::varchar[]) as __p2, rf_duration_s(t.__v3, 'seconds', ',') as __p3, t.__v4 as __p4, t.__v5 as __p5, t.__v6 as __p6,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p1 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v1 is null then 2 when t.__v1 is not null and (t.__p1 is null or not (true)) then 3 when not t.__p1 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 4 when t.__v2 is not null and (t.__p2 is null or not (true)) then 5 when not t.__p2 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 6 when t.__v3 is not null and (t.__p3 is null or not (true)) then 7 when t.__p3 < 0 then 8 end as __bad,
                coalesce(rf_municipality('domain', rf_domain(t.__v4), __date), rf_municipality('domain', rf_domain(t.__v5), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            left(md5(getvariable('pseudonym_key') || lower(t.__v0)), 16), t.__p1, t.__p2, t.__p3, left(md5(getvariable('pseudonym_key') || lower(t.__v4)), 16), left(md5(getvariable('pseudonym_key') || lower(t.__v5)), 16), t.__p6,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, '(a name)', t.__v1, t.__v1, t.__v1, t.__v2, t.__v2, t.__v3, t.__v3][t.__bad + 1]
                when t.__code is null then '*@' || coalesce(rf_domain(nullif(rf_trim(t."email"), '')), '?')
            end
        from checked as t;
