create table if not exists raw."travel_claims" (
    "source_path" varchar,
    "source_part" varchar,
    "file_sha256" varchar,
    "source_line" bigint,
    "municipality_code" varchar,
    "employee" varchar,
    "organisation" varchar,
    "unit" varchar,
    "trip_date" date,
    "from_place" varchar,
    "to_place" varchar,
    "purpose" varchar,
    "distance_km" double,
    "mode" varchar,
    "amount" double
);
insert into raw."travel_claims" ("source_path", "source_part", "file_sha256", "source_line", "municipality_code", "employee", "organisation", "unit", "trip_date", "from_place", "to_place", "purpose", "distance_km", "mode", "amount", "__problem", "__value")
        with src as (
            select * from (
        select null::bigint as __line_base, c0 as "employee", c1 as "organisation", c2 as "unit", c3 as "trip_date", c4 as "from_place", c5 as "to_place", c6 as "purpose", c7 as "distance_km", c8 as "mode", c9 as "amount",
            case
                when c10 is not null then nullif(greatest(10, case when nullif(trim(c17), '') is not null then 18 when nullif(trim(c16), '') is not null then 17 when nullif(trim(c15), '') is not null then 16 when nullif(trim(c14), '') is not null then 15 when nullif(trim(c13), '') is not null then 14 when nullif(trim(c12), '') is not null then 13 when nullif(trim(c11), '') is not null then 12 when nullif(trim(c10), '') is not null then 11 end),
                                                      10)
                when c9 is null then len(list_filter([c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, c15, c16, c17], lambda c: c is not null))
            end as __cells,
            case
                when c10 is not null or c9 is null
                    then coalesce(nullif(trim(c0), ''), nullif(trim(c1), ''), nullif(trim(c2), ''), nullif(trim(c3), ''), nullif(trim(c4), ''), nullif(trim(c5), ''), nullif(trim(c6), ''), nullif(trim(c7), ''), nullif(trim(c8), ''), nullif(trim(c9), ''), nullif(trim(c10), ''), nullif(trim(c11), ''), nullif(trim(c12), ''), nullif(trim(c13), ''), nullif(trim(c14), ''), nullif(trim(c15), ''), nullif(trim(c16), ''), nullif(trim(c17), '')) is null
            end as __empty_row
        from read_csv(
            $csv_path, header = false, skip = $skip, delim = $delim, quote = '"', escape = '"',
            columns = {'c0': 'VARCHAR', 'c1': 'VARCHAR', 'c2': 'VARCHAR', 'c3': 'VARCHAR', 'c4': 'VARCHAR', 'c5': 'VARCHAR', 'c6': 'VARCHAR', 'c7': 'VARCHAR', 'c8': 'VARCHAR', 'c9': 'VARCHAR', 'c10': 'VARCHAR', 'c11': 'VARCHAR', 'c12': 'VARCHAR', 'c13': 'VARCHAR', 'c14': 'VARCHAR', 'c15': 'VARCHAR', 'c16': 'VARCHAR', 'c17': 'VARCHAR'}, auto_detect = false, null_padding = true, strict_mode = false,
            nullstr = chr(1), parallel = $parallel,
            store_rejects = true, rejects_table = 'land_rejects', rejects_scan = 'land_scans'
        )
    )
        ),
        valued as (
            select t.*, nullif(rf_trim(t."employee"), '') as __v0, nullif(rf_trim(t."organisation"), '') as __v1, nullif(rf_trim(t."unit"), '') as __v2, nullif(rf_trim(t."trip_date"), '') as __v3, nullif(rf_trim(t."from_place"), '') as __v4, nullif(rf_trim(t."to_place"), '') as __v5, nullif(rf_trim(t."purpose"), '') as __v6, nullif(rf_trim(t."distance_km"), '') as __v7, nullif(rf_trim(t."mode"), '') as __v8, nullif(rf_trim(t."amount"), '') as __v9, coalesce(regexp_matches(lower(trim("employee")), '^(summa|totalt?|sum|i alt|total|totals?)\b'), false) as __total
            from src as t
        ),
        parsed as (
            select t.*, t.__v0 as __p0, t.__v1 as __p1, t.__v2 as __p2, cast(rf_timestamp(t.__v3, ['%Y-%m-%d', '%d.%m.%Y', '%d-%m-%Y', '%d/%m/%Y', '%Y-%m-%d %H:%M:%S']::varchar[]) as date) as __p3, t.__v4 as __p4, t.__v5 as __p5, t.__v6 as __p6, rf_number(t.__v7, ',') as __p7, t.__v8 as __p8, rf_number(t.__v9, ',') as __p9,
                coalesce(t.__empty_row, coalesce(t.__v0, t.__v1, t.__v2, t.__v3, t.__v4, t.__v5, t.__v6, t.__v7, t.__v8, t.__v9) is null) as __empty
            from valued as t
        ),
        dated as (
            select t.*, cast(t.__p3 as date) as __date
            from parsed as t
        ),
        checked as (
            select t.*, case when t.__cells is not null then 0 when t.__v3 is null then 1 when t.__v3 is not null and (t.__p3 is null or not (true)) then 2 when not t.__p3 between date '1990-01-01' and make_date(year(current_date) + 1, 12, 31) then 3 when t.__v6 is null then 4 when t.__v7 is null then 5 when t.__v7 is not null and (t.__p7 is null or not (true)) then 6 when t.__p7 < 0 then 7 when t.__p7 > 5000 then 8 when t.__v9 is not null and (t.__p9 is null or not (true)) then 9 when t.__p9 < 0 then 10 end as __bad,
                coalesce(rf_municipality('name', rf_name(t.__v1), __date), rf_municipality('code', rf_code(t.__v1), __date), rf_municipality(cast($hint_type as varchar), cast($hint_key as varchar), __date)) as __code
            from dated as t
        )
        select
            cast($source_path as varchar),
            cast($source_part as varchar),
            cast($file_sha256 as varchar),
            t.__line_base,
            t.__code,
            left(md5(getvariable('pseudonym_key') || lower(t.__v0)), 16), t.__p1, t.__p2, t.__p3, t.__p4, t.__p5, t.__p6, t.__p7, t.__p8, t.__p9,
            case
                when t.__empty then -3
                when t.__total then -2
                when t.__bad is not null then t.__bad
                when t.__code is null then -1
            end,
            case
                when t.__empty or t.__total then null
                when t.__bad = 0 then cast(t.__cells as varchar) || ' cells'
                when t.__bad is not null then [null, t.__v3, t.__v3, t.__v3, t.__v6, t.__v7, t.__v7, t.__v7, t.__v7, t.__v9, t.__v9][t.__bad + 1]
                when t.__code is null then nullif(rf_trim(t."organisation"), '')
            end
        from checked as t;
