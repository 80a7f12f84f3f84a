create table if not exists raw."lync_sessions" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "session_time" timestamp,
    "session_seq" bigint,
    "from_uri" varchar,
    "to_uri" varchar,
    "invite_time" timestamp,
    "response_code" bigint,
    "end_time" timestamp,
    "media_types" bigint,
    "is_conference" boolean
);
insert into raw."lync_sessions" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "session_time", "session_seq", "from_uri", "to_uri", "invite_time", "response_code", "end_time", "media_types", "is_conference", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "session_time", c1 as "session_seq", c2 as "from_uri", c3 as "to_uri", c4 as "invite_time", c5 as "response_code", c6 as "end_time", c7 as "media_types",
            case
                when c8 is not null then nullif(greatest(8, case when nullif(trim(c15), '') is not null then 16 when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 when nullif(trim(c11), '') is not null then 12 when nullif(trim(c10), '') is not null then 11 when nullif(trim(c9), '') is not null then 10 when nullif(trim(c8), '') is not null then 9 end),
                                                      8)
                when c7 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15], lambda c: c is not null))
            end as __cells,
            case
                when c8 is not null or c7 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), ''), nullif(trim(c15), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR', 'c15': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, case when nullif(rf_trim(t."session_time"), '') in ('NULL') then null else nullif(rf_trim(t."session_time"), '') end as __v0, case when nullif(rf_trim(t."session_seq"), '') in ('NULL') then null else nullif(rf_trim(t."session_seq"), '') end as __v1, case when nullif(rf_trim(t."from_uri"), '') in ('NULL') then null else nullif(rf_trim(t."from_uri"), '') end as __v2, case when nullif(rf_trim(t."to_uri"), '') in ('NULL') then null else nullif(rf_trim(t."to_uri"), '') end as __v3, case when nullif(rf_trim(t."invite_time"), '') in ('NULL') then null else nullif(rf_trim(t."invite_time"), '') end as __v4, case when nullif(rf_trim(t."response_code"), '') in ('NULL') then null else nullif(rf_trim(t."response_code"), '') end as __v5, case when nullif(rf_trim(t."end_time"), '') in ('NULL') then null else nullif(rf_trim(t."end_time"), '') end as __v6, case when nullif(rf_trim(t."media_types"), '') in ('NULL') then null else nullif(rf_trim(t."media_types"), '') end as __v7, false as __total
            from src as t
        ),
        parsed as (
            select t.*, rf_timestamp(t.__v0, ['%Y-%m-%d %H:%M:%S.%g', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S']::varchar[]) as __p0, try_cast(rf_number(t.__v1, ',') as bigint) as __p1, t.__v2 as __p2, t.__v3 as __p3, rf_timestamp(t.__v4, ['%Y-%m-%d %H:%M:%S.%g', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S']::varchar[]) as __p4, try_cast(rf_number(t.__v5, ',') as bigint) as __p5, rf_timestamp(t.__v6, ['%Y-%m-%d %H:%M:%S.%g', '%Y-%m-%d %H:%M:%S', '%d/%m/%Y %H:%M:%S']::varchar[]) as __p6, try_cast(rf_number(t.__v7, ',') as bigint) as __p7,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6, t.__v7) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p0 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v0 is null then 1 when t.__v0 is not null and (t.__p0 is null or not (true)) then 2 when not t.__p0 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 3 when t.__v1 is null then 4 when t.__v1 is not null and (t.__p1 is null or not (rf_number(t.__v1, ',') = floor(rf_number(t.__v1, ',')))) then 5 when t.__v2 is null then 6 when t.__v4 is not null and (t.__p4 is null or not (true)) then 7 when not t.__p4 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 8 when t.__v5 is not null and (t.__p5 is null or not (rf_number(t.__v5, ',') = floor(rf_number(t.__v5, ',')))) then 9 when t.__v6 is not null and (t.__p6 is null or not (true)) then 10 when not t.__p6 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 11 when t.__v7 is null then 12 when t.__v7 is not null and (t.__p7 is null or not (rf_number(t.__v7, ',') = floor(rf_number(t.__v7, ',')))) then 13 when t.__p7 < 0 then 14 when t.__p7 > 127 then 15 end as __bad,
                coalesce(rf_municipality('domain', rf_domain(t.__v2), __date), rf_municipality('domain', rf_domain(t.__v3), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            t.__p0, t.__p1, left(md5(getvariable('pseudonym_key') || lower(t.__v2)), 16), left(md5(getvariable('pseudonym_key') || lower(t.__v3)), 16), t.__p4, t.__p5, t.__p6, t.__p7, cast(coalesce(t.to_uri ilike '%conf:%' or t.to_uri ilike '%focus%', false) as boolean),
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v0, t.__v0, t.__v0, t.__v1, t.__v1, '(an e-mail address)', t.__v4, t.__v4, t.__v5, t.__v6, t.__v6, t.__v7, t.__v7, t.__v7, t.__v7][t.__bad + 1]
                when t.__code is null then '*@' || coalesce(rf_domain(case when nullif(rf_trim(t."from_uri"), '') in ('NULL') then null else nullif(rf_trim(t."from_uri"), '') end), '?')
            end
        from checked as t;
