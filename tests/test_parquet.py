"""A new Parquet version writes the partitions that changed and links the others."""

import duckdb

from assets.exports.parquet import write_version

TABLE = "staging.trips"
# 3 years x 12 months of trips, 10 a month, 1 km more each month; and one without a date
TRIPS = """
    create or replace table staging.trips as
    select 'f.csv' as source_path, date '2011-01-15' + to_months(m) as trip_date,
        cast(m + 1 as double) as distance_km
    from range(36) as months(m), range(10)
    union all select 'f.csv', null, 5.0
"""


def warehouse() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema staging")
    con.execute(TRIPS)
    return con


def read(folder) -> tuple:
    con = duckdb.connect()
    files = str(folder / TABLE / "**" / "*.parquet")
    sql = "select count(*), sum(distance_km) from read_parquet(?, hive_partitioning = true)"
    return con.execute(sql, [files]).fetchall()[0]


def test_only_the_changed_month_is_written_and_the_others_are_hard_links(tmp_path):
    con = warehouse()
    first = write_version(con, [TABLE], tmp_path / "v1")
    assert first[TABLE] == {"rows": 361, "partitions_written": 37, "partitions_kept": 0}
    assert read(tmp_path / "v1") == (361, 10 * sum(range(1, 37)) + 5.0)
    con.execute(f"insert into {TABLE} values ('g.csv', date '2012-03-01', 100.0)")
    second = write_version(con, [TABLE], tmp_path / "v2", tmp_path / "v1")
    assert second[TABLE] == {"rows": 362, "partitions_written": 1, "partitions_kept": 36}
    assert read(tmp_path / "v2") == (362, 10 * sum(range(1, 37)) + 105.0)
    same = tmp_path / "v1" / TABLE / "year=2011" / "month=1" / "part_0.parquet"
    linked = tmp_path / "v2" / TABLE / "year=2011" / "month=1" / "part_0.parquet"
    assert linked.stat().st_ino == same.stat().st_ino
    changed = "year=2012/month=3/part_0.parquet"
    assert (tmp_path / "v2" / TABLE / changed).stat().st_ino != (
        tmp_path / "v1" / TABLE / changed
    ).stat().st_ino
    undated = tmp_path / "v2" / TABLE / "year=__HIVE_DEFAULT_PARTITION__"
    assert undated.is_dir()


def test_a_row_changed_in_place_or_a_new_column_is_written_again(tmp_path):
    con = warehouse()
    write_version(con, [TABLE], tmp_path / "v1")
    con.execute(f"update {TABLE} set distance_km = 0 where trip_date is null")
    second = write_version(con, [TABLE], tmp_path / "v2", tmp_path / "v1")
    assert second[TABLE]["partitions_written"] == 1
    assert read(tmp_path / "v2") == (361, 10 * sum(range(1, 37)))
    con.execute(f"alter table {TABLE} add column mode varchar")
    third = write_version(con, [TABLE], tmp_path / "v3", tmp_path / "v2")
    assert third[TABLE] == {"rows": 361, "partitions_written": 37, "partitions_kept": 0}
