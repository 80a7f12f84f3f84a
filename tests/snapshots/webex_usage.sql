create table if not exists raw."webex_usage" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "session_id" varchar,
    "topic" varchar,
    "meeting_type" varchar,
    "username" varchar,
    "meeting_date" date,
    "start_clock" varchar,
    "duration_s" double,
    "invited" bigint,
    "attended" bigint
);
insert into raw."webex_usage" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "session_id", "topic", "meeting_type", "username", "meeting_date", "start_clock", "duration_s", "invited", "attended", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "session_id", c1 as "topic", c2 as "meeting_type", c3 as "username", c4 as "meeting_date", c5 as "start_clock", c6 as "duration_s", c7 as "invited", c8 as "attended",
            case
                when c9 is not null then nullif(greatest(9, case when nullif(trim(c16), '') is not null then 17 when nullif(trim(c15), '') is not null then 16 when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 when nullif(trim(c11), '') is not null then 12 when nullif(trim(c10), '') is not null then 11 when nullif(trim(c9), '') is not null then 10 end),
                                                      9)
                when c8 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16], lambda c: c is not null))
            end as __cells,
            case
                when c9 is not null or c8 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), ''), nullif(trim(c15), ''), nullif(trim(c16), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR', 'c15': 'VARCHAR', 'c16': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."session_id"), '') as __v0, nullif(rf_trim(t."topic"), '') as __v1, nullif(rf_trim(t."meeting_type"), '') as __v2, nullif(rf_trim(t."username"), '') as __v3, nullif(rf_trim(t."meeting_date"), '') as __v4, nullif(rf_trim(t."start_clock"), '') as __v5, nullif(rf_trim(t."duration_s"), '') as __v6, nullif(rf_trim(t."invited"), '') as __v7, nullif(rf_trim(t."attended"), '') as __v8, false as __total
            from src as t
        ),
        parsed as (
            select t.*, t.__v0 as __p0, t.__v1 as __p1, t.__v2 as __p2, t.__v3 as __p3, cast(rf_timestamp(t.__v4, ['%Y-%m-%d', '%m/%d/%Y', '%d.%m.%Y', '%d/%m/%Y']::varchar[]) as date) as __p4, t.__v5 as __p5, rf_duration_s(t.__v6, 'minutes', ',') as __p6, try_cast(rf_number(t.__v7, ',') as bigint) as __p7, try_cast(rf_number(t.__v8, ',') as bigint) as __p8,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6, t.__v7, t.__v8) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p4 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v3 is null then 2 when t.__v4 is null then 3 when t.__v4 is not null and (t.__p4 is null or not (true)) then 4 when not t.__p4 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 5 when t.__v6 is null then 6 when t.__v6 is not null and (t.__p6 is null or not (true)) then 7 when t.__p6 < 0 then 8 when t.__v7 is not null and (t.__p7 is null or not (rf_number(t.__v7, ',') = floor(rf_number(t.__v7, ',')))) then 9 when t.__p7 < 0 then 10 when t.__v8 is not null and (t.__p8 is null or not (rf_number(t.__v8, ',') = floor(rf_number(t.__v8, ',')))) then 11 when t.__p8 < 0 then 12 end as __bad,
                coalesce(rf_municipality('domain', rf_domain(t.__v3), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, t.__p2, left(md5(getvariable('pseudonym_key') || lower(t.__v3)), 16), t.__p4, t.__p5, t.__p6, t.__p7, t.__p8,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, '(an e-mail address)', t.__v4, t.__v4, t.__v4, t.__v6, t.__v6, t.__v6, t.__v7, t.__v7, t.__v8, t.__v8][t.__bad + 1]
                when t.__code is null then '*@' || coalesce(rf_domain(nullif(rf_trim(t."username"), '')), '?')
            end
        from checked as t;
