"""A small hand-made input for the marts tests: one Lync export and a test factor set.

Songdalen (1017, merged into Kristiansand 4204 in 2020) holds the Knutepunkt IT leaders' six
video conferences of 2013 (the host and six leaders joining each) and four audio-only calls;
Falun (2080) one video conference of 7 joiners in 2011 (its baseline year) and one of 13 in 2023.
No claims: the default substitution band applies, and the tests change its central and high
rates between runs.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from pipeline_helpers import REFERENCE, run_pipeline

HEADER = (
    "SessionIdTime,SessionIdSeq,FromUri,ToUri,InviteTime,ResponseCode,SessionEndTime,MediaTypes"
)
VIDEO, AUDIO = 32, 16

_BUILT: dict[str, dict] = {}


def _session(start: str, user: str, room: str, media: int, organiser: str | None = None) -> str:
    end = start[:11] + "11:00:00.000"
    focus = f"sip:{organiser or user};gruu;opaque=app:conf:focus:id:{room}"
    return f"{start},1,sip:{user},{focus},{start},200,{end},{media}"


def _conference(start: str, users: list[str], room: str, media: int) -> list[str]:
    """One conference: a session per joiner to the organiser's focus (one meeting, its joiners),
    each joining a millisecond after the previous one (SessionIdTime keys a session)."""
    return [
        _session(f"{start[:-3]}{i:03d}", user, room, media, organiser=users[0])
        for i, user in enumerate(users)
    ]


def _people(domain: str, count: int) -> list[str]:
    return [f"person{i}@{domain}" for i in range(count)]


def lync_rows() -> list[str]:
    songdalen = ["kari.bakke@songdalen.kommune.no", *_people("songdalen.kommune.no", 6)]
    rows = [
        row
        for month in (1, 3, 5, 7, 9, 11)
        for row in _conference(f"2013-{month:02d}-05 10:00:00.000", songdalen, "ITU", VIDEO)
    ]
    rows += [
        _session(
            f"2013-{month:02d}-12 10:00:00.000", "kari.bakke@songdalen.kommune.no", "TEL", AUDIO
        )
        for month in (2, 4, 6, 8)
    ]
    rows += _conference("2011-03-10 10:00:00.000", _people("falun.se", 7), "F1", VIDEO)
    rows += _conference("2023-03-09 10:00:00.000", _people("falun.se", 13), "F2", VIDEO)
    return rows


def set_factor(reference: Path, factor: str, value: str) -> None:
    """Edit one factor's value in a reference copy, as an analyst would in a spreadsheet."""
    path = reference / "factors.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    hits = 0
    for row in rows[1:]:
        if row[0] == factor:
            row[4] = value
            hits += 1
    assert hits == 1, factor
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def set_programme_name(reference: Path, programme: str, name: str) -> None:
    path = reference / "programmes.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for row in rows[1:]:
        if row[0] == programme:
            row[1] = name
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _avoided(warehouse: Path) -> dict:
    from pipeline_helpers import query

    return {
        (code, year): (trips, low, high)
        for code, year, trips, low, high in query(
            warehouse,
            "select historical_code, year, avoided_trips, avoided_trips_low, avoided_trips_high "
            "from marts.municipality_progress_historical where virtual_meetings > 0",
        )
    }


def small_warehouse(folder: Path) -> dict:
    """Run the pipeline three times over the small input (built once per test session):
    substitution 0.5, then 1.0 (central and high) after editing the reference copy, then again
    unchanged."""
    if "small" in _BUILT:
        return _BUILT["small"]
    raw = folder / "raw"
    raw.mkdir(parents=True)
    (raw / "lync_sessiondetails_small_2013.csv").write_text(
        HEADER + "\n" + "\n".join(lync_rows()) + "\n", encoding="utf-8"
    )
    reference = folder / "reference"
    shutil.copytree(REFERENCE, reference)
    set_factor(reference, "remote_participants", "6")
    set_factor(reference, "substitution_rate_central", "0.5")
    set_programme_name(reference, "knutepunkt-sorlandet", "=1+1")
    warehouse = folder / "warehouse" / "resfritt.duckdb"

    first = run_pipeline(raw, warehouse, reference)
    assert first.success, [e.message for e in first.all_events if e.is_failure]
    avoided_at_half = _avoided(warehouse)

    set_factor(reference, "substitution_rate_central", "1.0")
    set_factor(reference, "substitution_rate_high", "1.0")
    second = run_pipeline(raw, warehouse, reference)
    assert second.success, [e.message for e in second.all_events if e.is_failure]
    reports = warehouse.parent / "reports"
    mtimes = {p.name: p.stat().st_mtime_ns for p in reports.iterdir()}

    third = run_pipeline(raw, warehouse, reference)
    assert third.success
    built = {
        "warehouse": warehouse,
        "reference": reference,
        "reports": reports,
        "avoided_at_half": avoided_at_half,
        "avoided_at_one": _avoided(warehouse),
        "second": second,
        "third": third,
        "mtimes_after_second": mtimes,
    }
    _BUILT["small"] = built
    return built


def materialization(result, *path: str):
    """The metadata of the asset's materialization in a run's result."""
    for event in result.get_asset_materialization_events():
        materialization = event.event_specific_data.materialization
        if tuple(materialization.asset_key.path) == path:
            return materialization.metadata
    raise AssertionError(f"{path} was not materialized")
