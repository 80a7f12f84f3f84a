create table if not exists raw."telia_video_rooms" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "month" date,
    "organisation" varchar,
    "room" varchar,
    "meetings" bigint,
    "duration_s" double,
    "avg_participants" double
);
insert into raw."telia_video_rooms" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "month", "organisation", "room", "meetings", "duration_s", "avg_participants", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "month", c1 as "organisation", c2 as "room", c3 as "meetings", c4 as "duration_s", c5 as "avg_participants",
            case
                when c6 is not null then nullif(greatest(6, case when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 when nullif(trim(c11), '') is not null then 12 when nullif(trim(c10), '') is not null then 11 when nullif(trim(c9), '') is not null then 10 when nullif(trim(c8), '') is not null then 9 when nullif(trim(c7), '') is not null then 8 when nullif(trim(c6), '') is not null then 7 end),
                                                      6)
                when c5 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13], lambda c: c is not null))
            end as __cells,
            case
                when c6 is not null or c5 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."month"), '') as __v0, nullif(rf_trim(t."organisation"), '') as __v1, nullif(rf_trim(t."room"), '') as __v2, nullif(rf_trim(t."meetings"), '') as __v3, nullif(rf_trim(t."duration_s"), '') as __v4, nullif(rf_trim(t."avg_participants"), '') as __v5, coalesce(regexp_matches(lower(trim("month")), '^(summa|totalt?|sum|i alt|total|totals?)\b'), false) as __total
            from src as t
        ),
        parsed as (
            select t.*, cast(rf_month(t.__v0) as date) as __p0, t.__v1 as __p1, t.__v2 as __p2, try_cast(rf_number(t.__v3, ',') as bigint) as __p3, rf_duration_s(t.__v4, 'h:mm', ',') as __p4, rf_number(t.__v5, ',') as __p5,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p0 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v0 is not null and (t.__p0 is null or not (true)) then 2 when t.__v2 is null then 3 when t.__v3 is null then 4 when t.__v3 is not null and (t.__p3 is null or not (rf_number(t.__v3, ',') = floor(rf_number(t.__v3, ',')))) then 5 when t.__p3 < 0 then 6 when t.__v4 is not null and (t.__p4 is null or not (true)) then 7 when t.__p4 < 0 then 8 when t.__v5 is not null and (t.__p5 is null or not (true)) then 9 when t.__p5 < 0 then 10 end as __bad,
                coalesce(rf_municipality('room', lower(rf_trim(t.__v2)), __date), rf_municipality('code', rf_code(t.__v1), __date), rf_municipality('name', rf_name(t.__v1), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, t.__p2, t.__p3, t.__p4, t.__p5,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, t.__v0, t.__v2, t.__v3, t.__v3, t.__v3, t.__v4, t.__v4, t.__v5, t.__v5][t.__bad + 1]
                when t.__code is null then nullif(rf_trim(t."room"), '')
            end
        from checked as t;
