"""A1/A2: Telia Videomöte room statistics, the room reference and Telemöte Webb conferences."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from samples.common import (
    BY_CODE,
    DALARNA,
    LONG_BOOKINGS,
    MONTH_WEIGHTS,
    ROOMS,
    VIDEO_TOTALS,
    allocate,
    by_year,
    csv_text,
    fmt_fixed,
    fold,
    group,
    hmm,
    jitter,
    rng_for,
    save_xlsx,
    workday,
    write_text,
)

A1_HEADER_SV = (
    "Månad", "Organisation", "Rum", "Antal möten", "Total mötestid (tim:min)", "Snitt deltagare",
)  # fmt: skip
A1_HEADER_EN = (
    "Month", "Organisation", "Room", "Meetings", "Total duration (h:mm)", "Avg participants",
)  # fmt: skip


@dataclass(frozen=True)
class VideoRow:
    """One room and month of video-room statistics."""

    month: str
    code: str
    room: str
    meetings: int
    minutes: int
    avg_tenths: int


def video_year(year: int) -> list[VideoRow]:
    """Distribute the year's video meetings over municipalities, rooms and months."""
    rng = rng_for(f"video:{year}")
    muni_counts = allocate(VIDEO_TOTALS[year], jitter(rng, [m.weight for m in DALARNA]))
    rows = []
    for muni, muni_count in zip(DALARNA, muni_counts, strict=True):
        rooms = ROOMS[muni.code]
        room_counts = allocate(muni_count, jitter(rng, [w for _, w in rooms], 70, 130))
        for (room, _), room_count in zip(rooms, room_counts, strict=True):
            months = allocate(room_count, jitter(rng, MONTH_WEIGHTS, 60, 140))
            for month, n in enumerate(months, start=1):
                if n:
                    lo, hi = LONG_BOOKINGS.get((room, year), (6, 25))
                    minutes = sum(rng.randrange(lo, hi) * 5 for _ in range(n))
                    avg = rng.randint(20, 75)
                    rows.append(VideoRow(f"{year}-{month:02d}", muni.code, room, n, minutes, avg))
    order = {m.code: i for i, m in enumerate(DALARNA)}
    return sorted(rows, key=lambda r: (r.month, order[r.code]))


def video_rows(years: Sequence[int]) -> list[VideoRow]:
    """All video rows for ``years`` in file order."""
    rows = [row for year in years for row in video_year(year)]
    if 2020 in years:
        assert max(r.minutes for r in rows) >= 100 * 60, "want a data row above 99 hours"
    return rows


def title_block(start: str, end: str) -> list[str]:
    """The A1 title block (three lines and a blank line)."""
    return ["Telia Videomöte - statistik", "Kund: IT-Dalarna", f"Period: {start} - {end}", ""]


def write_telia_2011_2013(path: Path) -> dict:
    """A1 as re-saved by Swedish Excel: cp1252, ';', CRLF, decimal comma, totals row."""
    rows = video_rows(range(2011, 2014))
    lines = title_block("2011-01-01", "2013-12-31")
    body = [
        (r.month, BY_CODE[r.code].genitive, r.room, r.meetings, hmm(r.minutes),
         fmt_fixed(r.avg_tenths, 1))
        for r in rows
    ]  # fmt: skip
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    total = ("Summa", "", "", group(total_n, " "), hmm(total_min, " "), "")
    text = "\r\n".join(lines) + "\r\n" + csv_text([A1_HEADER_SV, *body, total], ";", "\r\n")
    write_text(path, text, "cp1252")
    return video_summary(rows, first_data_line=6, totals=(total_n, total_min))


def write_telia_2014(path: Path) -> dict:
    """A1 as .xlsx: sheet 'Statistik' with title block, numeric counts, Summa row; plus 'Info'."""
    rows = video_rows([2014])
    assert {r.code for r in rows} == set(BY_CODE), "every municipality needs 2014 meetings"
    wb = Workbook()
    sheet = wb.active
    sheet.title = "Statistik"
    for line in title_block("2014-01-01", "2014-12-31"):
        sheet.append([line or None])
    sheet.append(list(A1_HEADER_SV))
    for r in rows:
        avg = r.avg_tenths / 10
        sheet.append([r.month, BY_CODE[r.code].genitive, r.room, r.meetings, hmm(r.minutes), avg])
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    sheet.append(["Summa", None, None, total_n, hmm(total_min, " "), None])
    sheet.cell(sheet.max_row, 4).number_format = "#,##0"
    for column, width in zip("ABCDEF", (10, 24, 30, 12, 24, 16), strict=True):
        sheet.column_dimensions[column].width = width
    info = wb.create_sheet("Info")
    for line in (
        "Statistiken är hämtad ur Telia Företagsportalen, tjänst Videomöte.",
        "Ett möte räknas per bokat rum och tillfälle (flerpartsmöten räknas per rum).",
        "Mötestid anges i timmar:minuter. Snitt deltagare avser deltagare per rum.",
        "Uttaget gjordes 2015-01-08 av IT-Dalarna.",
    ):
        info.append([line])
    save_xlsx(wb, path)
    return video_summary(rows, first_data_line=6, totals=(total_n, total_min), sheet="Statistik")


def write_telia_2015_2024(path: Path) -> dict:
    """English A1 variant: UTF-8 BOM, ',', codes instead of names, decimal point, Total row."""
    rows = video_rows(range(2015, 2025))
    body = [
        (r.month, r.code, r.room, r.meetings, hmm(r.minutes), fmt_fixed(r.avg_tenths, 1, False))
        for r in rows
    ]
    total_n, total_min = sum(r.meetings for r in rows), sum(r.minutes for r in rows)
    total = ("Total", "", "", total_n, hmm(total_min), "")
    write_text(path, csv_text([A1_HEADER_EN, *body, total]), bom=True)
    return video_summary(rows, first_data_line=2, totals=(total_n, total_min))


def video_summary(
    rows: list[VideoRow], first_data_line: int, totals: tuple[int, int], sheet: str | None = None
) -> dict:
    """Expected figures for one A1 file."""
    per_code: dict[str, Counter] = defaultdict(Counter)
    minutes: Counter = Counter()
    for r in rows:
        year = int(r.month[:4])
        per_code[r.code][year] += r.meetings
        minutes[year] += r.minutes
    summary = {
        "rows": len(rows),
        "bad_rows": [],
        "first_data_line": first_data_line,
        "totals_line": first_data_line + len(rows),
        "totals_row": {"meetings": totals[0], "duration_minutes": totals[1]},
        "rooms": len({r.room for r in rows}),
        "meetings_per_year": by_year(sum(per_code.values(), Counter())),
        "duration_minutes_per_year": by_year(minutes),
        "meetings_per_code_per_year": {c: by_year(per_code[c]) for c in sorted(per_code)},
    }
    if sheet:
        summary["sheet"] = sheet
    return summary


def write_rooms(path: Path) -> int:
    """data/reference/rooms.csv: every room with its municipality and validity."""
    rows = [("room", "municipality_code", "valid_from", "valid_to")]
    for muni in DALARNA:
        rows += [(room, muni.code, "2010-01-01", "9999-12-31") for room, _ in ROOMS[muni.code]]
    write_text(path, csv_text(rows))
    return len(rows) - 1


# --------------------------------------------------------------------------------------------
# A2: Telia Telemöte Webb conference list
# --------------------------------------------------------------------------------------------

SV_FIRST = (
    "Anna", "Erik", "Karin", "Lars", "Maria", "Johan", "Eva", "Anders", "Kristina", "Per",
    "Lena", "Mikael", "Sara", "Magnus", "Emma", "Jonas", "Helena", "Fredrik", "Åsa", "Björn",
    "Ingrid", "Göran", "Märta", "Sofia", "Olof", "Linnea",
)  # fmt: skip
SV_LAST = (
    "Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Larsson", "Olsson", "Persson",
    "Svensson", "Lindqvist", "Berg", "Holm", "Ek", "Sund", "Öberg", "Åkesson", "Hedlund",
    "Dahl", "Mattsson", "Nyström", "Björk", "Wikström",
)  # fmt: skip
A2_BAD_LENGTH_INDEX = 36  # 0-based data row with Längd (min) = "4x"
A2_BAD_HOST_INDEX = 111  # 0-based data row with an unattributable host
A2_BAD_HOST = "someone@unknown-org.example"


def telemote_hosts(rng: random.Random) -> list[tuple[str, str]]:
    """A pool of (host e-mail, municipality code), weighted by municipality size."""
    hosts = []
    for muni in DALARNA:
        for _ in range(1 + muni.weight // 150):
            first, last = rng.choice(SV_FIRST), rng.choice(SV_LAST)
            local = f"{fold(first)}.{fold(last)}"
            if rng.random() < 0.15:
                local = f"{first}.{last}".translate(str.maketrans("åäöÅÄÖ", "aaoAAO"))
            hosts.append((f"{local}@{muni.domain}", muni.code))
    return hosts


def write_telemote_2016(path: Path) -> dict:
    """A2: ';'-separated UTF-8 conference list for 2016 with two planted bad rows."""
    rng = rng_for("telemote:2016")
    hosts = telemote_hosts(rng)
    weights = [BY_CODE[code].weight for _, code in hosts]
    clock = [(workday(rng, 2016), rng.randint(8, 15), rng.choice((0, 15, 30))) for _ in range(150)]
    starts = sorted(dt.datetime.combine(day, dt.time(h, m)) for day, h, m in clock)
    header = ("Konferens-ID", "Starttid", "Sluttid", "Längd (min)", "Antal deltagare", "Värd")
    body, conf_id, valid = [], 40_118_000, []
    for i, start in enumerate(starts):
        conf_id += rng.randint(3, 400)
        length = rng.randint(12, 118)
        host, code = rng.choices(hosts, weights=weights)[0]
        people = rng.randint(2, 14)
        length_text = "4x" if i == A2_BAD_LENGTH_INDEX else str(length)
        if i == A2_BAD_HOST_INDEX:
            host, code = A2_BAD_HOST, None
        end = start + dt.timedelta(minutes=length)
        body.append(
            (conf_id, f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}", length_text, people, host)
        )
        if i not in (A2_BAD_LENGTH_INDEX, A2_BAD_HOST_INDEX):
            valid.append((code, length, people))
    write_text(path, csv_text([header, *body], ";"))
    return telemote_summary(body, valid)


def telemote_summary(body: list[tuple], valid: list[tuple[str, int, int]]) -> dict:
    """Expected figures for the A2 sample (valid rows only)."""
    confs, minutes, people = Counter(), Counter(), Counter()
    for code, length, n in valid:
        confs[code] += 1
        minutes[code] += length
        people[code] += n
    bad = [
        {"line": A2_BAD_LENGTH_INDEX + 2, "column": "Längd (min)", "value": "4x",
         "reason": "not a number", "konferens_id": body[A2_BAD_LENGTH_INDEX][0]},
        {"line": A2_BAD_HOST_INDEX + 2, "column": "Värd", "value": A2_BAD_HOST,
         "reason": "host domain maps to no municipality",
         "konferens_id": body[A2_BAD_HOST_INDEX][0]},
    ]  # fmt: skip
    return {
        "rows": len(body),
        "bad_rows": bad,
        "valid_rows": len(valid),
        "conferences_per_code": dict(sorted(confs.items())),
        "minutes_per_code": dict(sorted(minutes.items())),
        "participants_per_code": dict(sorted(people.items())),
        "valid_minutes_total": sum(minutes.values()),
    }
