-- Text-to-value parsers shared by every contract. Each returns null when the text does not parse.

-- trim() (which removes Unicode spaces too) costs five times a check that an ASCII string has
-- no space at either end: most cells have none, so only the others pay for the full trim.
create or replace temp macro rf_trim(v) as case
    when strlen(v) = length(v) and not (v ^@ ' ' or suffix(v, ' ')) then v
    else trim(v)
end;

-- Numbers: spaces, no-break spaces and apostrophes are thousands separators; `dec` is the file's
-- decimal mark. With a decimal comma, a dot is a thousands separator only before three digits.
create or replace temp macro rf_number(v, dec) as coalesce(
    -- Fast path: a plain number that cannot hold a thousands dot reads as itself.
    case when dec = '.' or not contains(v, '.') then try_cast(rf_trim(v) as double) end,
    try_cast(
    case
        when dec = ',' then replace(
            regexp_replace(
                regexp_replace(rf_trim(v), '[\s\x{00a0}\x{202f}'']', '', 'g'),
                '\.(\d{3})', '\1', 'g'
            ),
            ',', '.'
        )
        else replace(regexp_replace(rf_trim(v), '[\s\x{00a0}\x{202f}'']', '', 'g'), ',', '')
    end as double
    )
);

-- Excel serial day numbers (1900 date system) stand in for dates in re-saved files.
create or replace temp macro rf_excel_serial(v) as case
    when regexp_full_match(rf_trim(v), '\d{5}(\.\d+)?')
        then timestamp '1899-12-30' + to_microseconds(
            cast(round(cast(rf_trim(v) as double) * 86400000000) as bigint)
        )
end;

-- A contract format read a two-digit year as a four-digit one (DuckDB's %Y takes "22" as year
-- 22): read the text again with %y, which puts 00-68 in 2000-2068 and 69-99 in 1969-1999.
create or replace temp macro rf_two_digit_year(t, v, fmts) as case
    when t is null or year(t) >= 100 then t
    else try_strptime(rf_trim(v), list_transform(fmts, lambda f: replace(f, '%Y', '%y')))
end;

-- Timestamps: the contract's formats in order, then ISO 8601 with or without zone (kept as UTC).
-- Fast path for ISO 8601 in UTC ("...Z", Teams and Graph): a failed strptime costs more than the
-- whole cast, and no contract format reads a trailing Z; the zone-aware cast agrees. It is a
-- case, not a first coalesce term: DuckDB computes a subexpression used more than once (the
-- strptime in rf_two_digit_year) for every row before a coalesce, which skipped nothing then.
create or replace temp macro rf_timestamp(v, fmts) as case
    when suffix(rf_trim(v), 'Z') and try_cast(rf_trim(v) as timestamp) is not null
        then try_cast(rf_trim(v) as timestamp)
    else coalesce(
        rf_two_digit_year(try_strptime(rf_trim(v), fmts), v, fmts),
        try_cast(try_cast(rf_trim(v) as timestamptz) at time zone 'UTC' as timestamp),
        try_cast(rf_trim(v) as timestamp),
        rf_excel_serial(v)
    )
end;

-- Months: 2014-01, 2014-01-01, jan 2014 / januari 2014 (Swedish, Norwegian, Danish, English).
create or replace temp macro rf_month(v) as coalesce(
    try_strptime(rf_trim(v), ['%Y-%m', '%Y-%m-%d', '%Y/%m', '%m/%Y', '%Y%m']),
    try_strptime(
        concat(
            case lower(left(rf_trim(v), 3))
                when 'jan' then '01' when 'feb' then '02' when 'mar' then '03'
                when 'apr' then '04' when 'maj' then '05' when 'mai' then '05'
                when 'may' then '05' when 'jun' then '06' when 'jul' then '07'
                when 'aug' then '08' when 'sep' then '09' when 'okt' then '10'
                when 'oct' then '10' when 'nov' then '11' when 'dec' then '12'
                when 'des' then '12'
            end,
            '-',
            regexp_extract(rf_trim(v), '(\d{4})$', 1)
        ),
        '%m-%Y'
    ),
    rf_excel_serial(v)
);

-- Lowercase text without any white space (no-break spaces included).
create or replace temp macro rf_squeeze(v) as lower(regexp_replace(v, '[\s\x{00a0}\x{202f}]', '', 'g'));

-- Durations in seconds from: ISO 8601 (PT1H2M3S), hh:mm:ss, h:mm or mm:ss (by `unit`),
-- "1h 13m 42s" / "2 h 44 m" / "59m 35s", or a bare number in `unit` (seconds, minutes, hours)
-- written with the file's decimal mark `dec`.
create or replace temp macro rf_duration_s(v, unit, dec) as case
    when v is null or rf_trim(v) = '' then null
    -- Fast path for a bare whole number, without the regular expressions (same value as the last).
    when try_cast(rf_trim(v) as bigint) is not null then try_cast(rf_trim(v) as double) * case unit
        when 'minutes' then 60 when 'hours' then 3600 else 1
    end
    when regexp_full_match(rf_trim(v), 'P(\d+D)?(T(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?')
        then coalesce(try_cast(regexp_extract(rf_trim(v), '(\d+)D', 1) as double), 0) * 86400
            + coalesce(try_cast(regexp_extract(rf_trim(v), '(\d+(\.\d+)?)H', 1) as double), 0) * 3600
            + coalesce(try_cast(regexp_extract(rf_trim(v), 'T.*?(\d+(\.\d+)?)M', 1) as double), 0) * 60
            + coalesce(try_cast(regexp_extract(rf_trim(v), '(\d+(\.\d+)?)S', 1) as double), 0)
    when regexp_full_match(rf_trim(v), '\d+:\d{1,2}:\d{1,2}(\.\d+)?')
        then cast(split_part(rf_trim(v), ':', 1) as double) * 3600
            + cast(split_part(rf_trim(v), ':', 2) as double) * 60
            + cast(split_part(rf_trim(v), ':', 3) as double)
    when regexp_full_match(regexp_replace(rf_trim(v), '[\s\x{00a0}]', '', 'g'), '\d+:\d{1,2}')
        then case when unit = 'mm:ss' then 1 else 60 end * (
            cast(split_part(regexp_replace(rf_trim(v), '[\s\x{00a0}]', '', 'g'), ':', 1) as double) * 60
            + cast(split_part(rf_trim(v), ':', 2) as double)
        )
    when regexp_full_match(
        lower(regexp_replace(rf_trim(v), '[\s\x{00a0}]', '', 'g')),
        '(\d+h)?(\d+(min|m))?(\d+s)?'
    ) and regexp_matches(rf_trim(v), '\d')
        then coalesce(try_cast(regexp_extract(rf_squeeze(v), '(\d+)h', 1) as double), 0) * 3600
            + coalesce(try_cast(regexp_extract(rf_squeeze(v), '(\d+)m', 1) as double), 0) * 60
            + coalesce(try_cast(regexp_extract(rf_squeeze(v), '(\d+)s', 1) as double), 0)
    else rf_number(v, dec) * case unit
        when 'minutes' then 60 when 'hours' then 3600 else 1
    end
end;

-- Booleans as exports write them, in the UI languages of the contracts (Nordic, English,
-- German, Dutch, French, Spanish, Portuguese, Italian, Polish, Russian, Ukrainian, Arabic).
create or replace temp macro rf_boolean(v) as case lower(rf_trim(v))
    when 'true' then true when 'yes' then true when 'ja' then true when '1' then true
    when 'false' then false when 'no' then false when 'nej' then false when 'nei' then false
    when '0' then false
    when 'já' then true when 'kyllä' then true when 'oui' then true when 'sí' then true
    when 'si' then true when 'sim' then true when 'tak' then true when 'da' then true
    when 'да' then true when 'так' then true when 'نعم' then true
    when 'ei' then false when 'nein' then false when 'nee' then false when 'non' then false
    when 'não' then false when 'nie' then false when 'нет' then false when 'ні' then false
    when 'لا' then false
end;

-- Municipality codes compare as text without leading zeros (Excel drops them: 0926 -> 926).
create or replace temp macro rf_code(v) as nullif(ltrim(trim(cast(v as varchar)), '0'), '');

-- Organisation names compare without case, "kommun/kommune/herad" suffixes or genitive s.
create or replace temp macro rf_name(v) as nullif(
    regexp_replace(
        regexp_replace(lower(rf_trim(v)), '\s+(kommun|kommune|herad|municipality)$', ''),
        '^(.*[^s])s$|^(.*)$', '\1\2'
    ),
    ''
);

-- The domain of an e-mail address or SIP URI, without the "sip:" scheme or parameters.
create or replace temp macro rf_domain(v) as nullif(
    lower(split_part(split_part(
        case when contains(v, ':') then regexp_replace(rf_trim(v), '^(sip|sips|mailto):', '') else rf_trim(v) end,
        ';', 1
    ), '@', 2)),
    ''
);

-- The municipality a key names on a date: rf_keys maps key type and key to validity periods
-- (set per file from ref.municipality_keys). A map lookup keeps the rows in file order.
create or replace temp macro rf_municipality(key_type, key, d) as list_filter(
    map_extract_value(getvariable('rf_keys'), key_type || chr(0) || key),
    lambda p: coalesce(d, current_date) between p.valid_from and p.valid_to
)[1].code;
