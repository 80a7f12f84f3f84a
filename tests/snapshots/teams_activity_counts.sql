create table if not exists raw."teams_activity_counts" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "report_refresh_date" date,
    "report_date" date,
    "calls" bigint,
    "meetings" bigint,
    "meetings_organized" bigint,
    "meetings_attended" bigint,
    "audio_s" double,
    "video_s" double,
    "report_period" bigint
);
insert into raw."teams_activity_counts" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "report_refresh_date", "report_date", "calls", "meetings", "meetings_organized", "meetings_attended", "audio_s", "video_s", "report_period", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "report_refresh_date", c1 as "report_date", c2 as "calls", c3 as "meetings", c4 as "meetings_organized", c5 as "meetings_attended", c6 as "audio_s", c7 as "video_s", c8 as "report_period",
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
            select t.*, nullif(rf_trim(t."report_refresh_date"), '') as __v0, nullif(rf_trim(t."report_date"), '') as __v1, nullif(rf_trim(t."calls"), '') as __v2, nullif(rf_trim(t."meetings"), '') as __v3, nullif(rf_trim(t."meetings_organized"), '') as __v4, nullif(rf_trim(t."meetings_attended"), '') as __v5, coalesce(nullif(rf_trim(t."audio_s"), ''), '0') as __v6, coalesce(nullif(rf_trim(t."video_s"), ''), '0') as __v7, nullif(rf_trim(t."report_period"), '') as __v8, false as __total
            from src as t
        ),
        parsed as (
            select t.*, cast(rf_timestamp(t.__v0, ['%Y-%m-%d']::varchar[]) as date) as __p0, cast(rf_timestamp(t.__v1, ['%Y-%m-%d']::varchar[]) as date) as __p1, try_cast(rf_number(t.__v2, ',') as bigint) as __p2, try_cast(rf_number(t.__v3, ',') as bigint) as __p3, try_cast(rf_number(t.__v4, ',') as bigint) as __p4, try_cast(rf_number(t.__v5, ',') as bigint) as __p5, rf_duration_s(t.__v6, 'seconds', ',') as __p6, rf_duration_s(t.__v7, 'seconds', ',') as __p7, try_cast(rf_number(t.__v8, ',') as bigint) as __p8,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v8) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p1 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v0 is not null and (t.__p0 is null or not (true)) then 2 when not t.__p0 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 3 when t.__v1 is null then 4 when t.__v1 is not null and (t.__p1 is null or not (true)) then 5 when not t.__p1 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 6 when t.__v2 is not null and (t.__p2 is null or not (rf_number(t.__v2, ',') = floor(rf_number(t.__v2, ',')))) then 7 when t.__p2 < 0 then 8 when t.__v3 is null then 9 when t.__v3 is not null and (t.__p3 is null or not (rf_number(t.__v3, ',') = floor(rf_number(t.__v3, ',')))) then 10 when t.__p3 < 0 then 11 when t.__v4 is not null and (t.__p4 is null or not (rf_number(t.__v4, ',') = floor(rf_number(t.__v4, ',')))) then 12 when t.__p4 < 0 then 13 when t.__v5 is not null and (t.__p5 is null or not (rf_number(t.__v5, ',') = floor(rf_number(t.__v5, ',')))) then 14 when t.__p5 < 0 then 15 when t.__v6 is not null and (t.__p6 is null or not (true)) then 16 when t.__v7 is not null and (t.__p7 is null or not (true)) then 17 when t.__v8 is null then 18 when t.__v8 is not null and (t.__p8 is null or not (rf_number(t.__v8, ',') = floor(rf_number(t.__v8, ',')))) then 19 end as __bad,
                coalesce(rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, t.__p2, t.__p3, t.__p4, t.__p5, t.__p6, t.__p7, t.__p8,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, t.__v0, t.__v0, t.__v1, t.__v1, t.__v1, t.__v2, t.__v2, t.__v3, t.__v3, t.__v3, t.__v4, t.__v4, t.__v5, t.__v5, t.__v6, t.__v7, t.__v8, t.__v8][t.__bad + 1]
                when t.__code is null then null::varchar
            end
        from checked as t;
