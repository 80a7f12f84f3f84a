create table if not exists raw."teams_user_activity" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "report_refresh_date" date,
    "tenant" varchar,
    "user" varchar,
    "last_activity_date" date,
    "is_deleted" boolean,
    "call_count" bigint,
    "meeting_count" bigint,
    "meetings_organized" bigint,
    "meetings_attended" bigint,
    "audio_s" double,
    "video_s" double,
    "report_period" bigint
);
insert into raw."teams_user_activity" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "report_refresh_date", "tenant", "user", "last_activity_date", "is_deleted", "call_count", "meeting_count", "meetings_organized", "meetings_attended", "audio_s", "video_s", "report_period", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "report_refresh_date", c1 as "tenant", c2 as "user", c3 as "last_activity_date", c4 as "is_deleted", c5 as "call_count", c6 as "meeting_count", c7 as "meetings_organized", c8 as "meetings_attended", c9 as "audio_s", c10 as "video_s", c11 as "report_period",
            case
                when c12 is not null then nullif(greatest(12, case when nullif(trim(c19), '') is not null then 20 when nullif(trim(c18), '') is not null then 19 when nullif(trim(c17), '') is not null then 18 when nullif(trim(c16), '') is not null then 17 when nullif(trim(c15), '') is not null then 16 when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 end),
                                                      12)
                when c11 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17, c18, c19], lambda c: c is not null))
            end as __cells,
            case
                when c12 is not null or c11 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), ''), nullif(trim(c15), ''), nullif(trim(c16), ''), nullif(trim(c17), ''), nullif(trim(c18), ''), nullif(trim(c19), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR', 'c15': 'VARCHAR', 'c16': 'VARCHAR', 'c17': 'VARCHAR', 'c18': 'VARCHAR', 'c19': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."report_refresh_date"), '') as __v0, nullif(rf_trim(t."tenant"), '') as __v1, nullif(rf_trim(t."user"), '') as __v2, nullif(rf_trim(t."last_activity_date"), '') as __v3, nullif(rf_trim(t."is_deleted"), '') as __v4, nullif(rf_trim(t."call_count"), '') as __v5, nullif(rf_trim(t."meeting_count"), '') as __v6, nullif(rf_trim(t."meetings_organized"), '') as __v7, nullif(rf_trim(t."meetings_attended"), '') as __v8, nullif(rf_trim(t."audio_s"), '') as __v9, nullif(rf_trim(t."video_s"), '') as __v10, nullif(rf_trim(t."report_period"), '') as __v11, false as __total
            from src as t
        ),
        parsed as (
            select t.*, cast(rf_timestamp(t.__v0, ['%Y-%m-%d']::varchar[]) as date) as __p0, t.__v1 as __p1, t.__v2 as __p2, cast(rf_timestamp(t.__v3, ['%Y-%m-%d']::varchar[]) as date) as __p3, rf_boolean(t.__v4) as __p4, try_cast(rf_number(t.__v5, ',') as bigint) as __p5, try_cast(rf_number(t.__v6, ',') as bigint) as __p6, try_cast(rf_number(t.__v7, ',') as bigint) as __p7, try_cast(rf_number(t.__v8, ',') as bigint) as __p8, rf_duration_s(t.__v9, 'seconds', ',') as __p9, rf_duration_s(t.__v10, 'seconds', ',') as __p10, try_cast(rf_number(t.__v11, ',') as bigint) as __p11,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6, t.__v7, t.__v8, t.__v9, t.__v10, t.__v11) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p0 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v0 is not null and (t.__p0 is null or not (true)) then 2 when not t.__p0 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 3 when t.__v2 is null then 4 when t.__v3 is not null and (t.__p3 is null or not (true)) then 5 when not t.__p3 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 6 when t.__v4 is not null and (t.__p4 is null or not (true)) then 7 when t.__v5 is not null and (t.__p5 is null or not (rf_number(t.__v5, ',') = floor(rf_number(t.__v5, ',')))) then 8 when t.__p5 < 0 then 9 when t.__v6 is not null and (t.__p6 is null or not (rf_number(t.__v6, ',') = floor(rf_number(t.__v6, ',')))) then 10 when t.__p6 < 0 then 11 when t.__v7 is not null and (t.__p7 is null or not (rf_number(t.__v7, ',') = floor(rf_number(t.__v7, ',')))) then 12 when t.__p7 < 0 then 13 when t.__v8 is not null and (t.__p8 is null or not (rf_number(t.__v8, ',') = floor(rf_number(t.__v8, ',')))) then 14 when t.__p8 < 0 then 15 when t.__v9 is not null and (t.__p9 is null or not (true)) then 16 when t.__p9 < 0 then 17 when t.__v10 is not null and (t.__p10 is null or not (true)) then 18 when t.__p10 < 0 then 19 when t.__v11 is null then 20 when t.__v11 is not null and (t.__p11 is null or not (rf_number(t.__v11, ',') = floor(rf_number(t.__v11, ',')))) then 21 when t.__v11 is not null and lower(t.__v11) not in ('7', '30', '90', '180') then 22 end as __bad,
                coalesce(rf_municipality('domain', rf_domain(t.__v2), __date), rf_municipality('name', rf_name(t.__v1), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, left(md5(getvariable('pseudonym_key') || lower(t.__v2)), 16), t.__p3, t.__p4, t.__p5, t.__p6, t.__p7, t.__p8, t.__p9, t.__p10, t.__p11,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, t.__v0, t.__v0, '(an e-mail address)', t.__v3, t.__v3, t.__v4, t.__v5, t.__v5, t.__v6, t.__v6, t.__v7, t.__v7, t.__v8, t.__v8, t.__v9, t.__v9, t.__v10, t.__v10, t.__v11, t.__v11, t.__v11][t.__bad + 1]
                when t.__code is null then '*@' || coalesce(rf_domain(nullif(rf_trim(t."user"), '')), '?')
            end
        from checked as t;
