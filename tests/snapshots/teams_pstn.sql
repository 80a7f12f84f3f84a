create table if not exists raw."teams_pstn" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "usage_id" varchar using compression uncompressed,
    "call_id" varchar using compression uncompressed,
    "conference_id" varchar using compression uncompressed,
    "upn" varchar,
    "display_name" varchar,
    "caller_id" varchar,
    "call_type" varchar,
    "destination_number" varchar,
    "start_time" timestamp,
    "end_time" timestamp,
    "duration_s" double,
    "charge" double,
    "currency" varchar
);
insert into raw."teams_pstn" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "usage_id", "call_id", "conference_id", "upn", "display_name", "caller_id", "call_type", "destination_number", "start_time", "end_time", "duration_s", "charge", "currency", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "usage_id", c1 as "call_id", c2 as "conference_id", c3 as "upn", c4 as "display_name", c5 as "caller_id", c6 as "call_type", c7 as "destination_number", c8 as "start_time", c9 as "end_time", c10 as "duration_s", c11 as "charge", c12 as "currency",
            case
                when c13 is not null then nullif(greatest(13, case when nullif(trim(c20), '') is not null then 21 when nullif(trim(c19), '') is not null then 20 when nullif(trim(c18), '') is not null then 19 when nullif(trim(c17), '') is not null then 18 when nullif(trim(c16), '') is not null then 17 when nullif(trim(c15), '') is not null then 16 when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 end),
                                                      13)
                when c12 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19, c20], lambda c: c is not null))
            end as __cells,
            case
                when c13 is not null or c12 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), ''), nullif(trim(c15), ''), nullif(trim(c16), ''), nullif(trim(c17), ''), nullif(trim(c18), ''), nullif(trim(c19), ''), nullif(trim(c20), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR', 'c15': 'VARCHAR', 'c16': 'VARCHAR', 'c17': 'VARCHAR', 'c18': 'VARCHAR', 'c19': 'VARCHAR', 'c20': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."usage_id"), '') as __v0, nullif(rf_trim(t."call_id"), '') as __v1, nullif(rf_trim(t."conference_id"), '') as __v2, nullif(rf_trim(t."upn"), '') as __v3, nullif(rf_trim(t."display_name"), '') as __v4, nullif(rf_trim(t."caller_id"), '') as __v5, nullif(rf_trim(t."call_type"), '') as __v6, nullif(rf_trim(t."destination_number"), '') as __v7, nullif(rf_trim(t."start_time"), '') as __v8, nullif(rf_trim(t."end_time"), '') as __v9, nullif(rf_trim(t."duration_s"), '') as __v10, nullif(rf_trim(t."charge"), '') as __v11, nullif(rf_trim(t."currency"), '') as __v12, false as __total
            from src as t
        ),
        parsed as (
            select t.*, t.__v0 as __p0, t.__v1 as __p1, t.__v2 as __p2, t.__v3 as __p3, t.__v4 as __p4, t.__v5 as __p5, t.__v6 as __p6, t.__v7 as __p7, rf_timestamp(t.__v8, ['%Y-%m-%dT%H:%M:%S']::varchar[]) as __p8, rf_timestamp(t.__v9, ['%Y-%m-%dT%H:%M:%S']::varchar[]) as __p9, rf_duration_s(t.__v10, 'seconds', ',') as __p10, rf_number(t.__v11, ',') as __p11, t.__v12 as __p12,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6, t.__v7, t.__v8, t.__v9, t.__v10, t.__v11, t.__v12) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p8 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v1 is null then 2 when t.__v6 is null then 3 when t.__v8 is null then 4 when t.__v8 is not null and (t.__p8 is null or not (true)) then 5 when not t.__p8 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 6 when t.__v9 is not null and (t.__p9 is null or not (true)) then 7 when not t.__p9 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 8 when t.__v10 is null then 9 when t.__v10 is not null and (t.__p10 is null or not (true)) then 10 when t.__p10 < 0 then 11 when t.__p10 > 86400 then 12 when t.__v11 is not null and (t.__p11 is null or not (true)) then 13 end as __bad,
                coalesce(rf_municipality('domain', rf_domain(t.__v3), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, t.__p2, left(md5(getvariable('pseudonym_key') || lower(t.__v3)), 16), left(md5(getvariable('pseudonym_key') || lower(t.__v4)), 16), left(md5(getvariable('pseudonym_key') || lower(t.__v5)), 16), t.__p6, left(md5(getvariable('pseudonym_key') || lower(t.__v7)), 16), t.__p8, t.__p9, t.__p10, t.__p11, t.__p12,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, t.__v1, t.__v6, t.__v8, t.__v8, t.__v8, t.__v9, t.__v9, t.__v10, t.__v10, t.__v10, t.__v10, t.__v11][t.__bad + 1]
                when t.__code is null then '*@' || coalesce(rf_domain(nullif(rf_trim(t."upn"), '')), '?')
            end
        from checked as t;
