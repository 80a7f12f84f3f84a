"""1a / 1c / 2a: Microsoft 365 Teams usage reports and the PSTN call export."""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from samples.common import (
    csv_text,
    fixed_zip,
    fmt_fixed,
    fold,
    is_holiday,
    iso_duration,
    new_uuid,
    rng_for,
    workday,
    write_text,
)
from samples.lync import NO_FIRST, NO_LAST

TEAMS_DETAIL_HEADER = (
    "Report Refresh Date", "Tenant Display Name", "Shared Channel Tenant Display Names",
    "User Id", "User Principal Name", "Last Activity Date", "Is Deleted", "Deleted Date",
    "Assigned Products", "Team Chat Message Count", "Private Chat Message Count", "Call Count",
    "Meeting Count", "Post Messages", "Reply Messages", "Urgent Messages",
    "Meetings Organized Count", "Meetings Attended Count", "Ad Hoc Meetings Organized Count",
    "Ad Hoc Meetings Attended Count", "Scheduled One-time Meetings Organized Count",
    "Scheduled One-time Meetings Attended Count", "Scheduled Recurring Meetings Organized Count",
    "Scheduled Recurring Meetings Attended Count", "Audio Duration", "Video Duration",
    "Screen Share Duration", "Audio Duration In Seconds", "Video Duration In Seconds",
    "Screen Share Duration In Seconds", "Has Other Action", "Is Licensed", "Report Period",
)  # fmt: skip
PRODUCTS = (
    "MICROSOFT 365 E3", "MICROSOFT 365 F3", "OFFICE 365 E1",
    "MICROSOFT 365 E3+MICROSOFT TEAMS PHONE STANDARD", "MICROSOFT 365 E5",
)  # fmt: skip


@dataclass(frozen=True)
class TeamsUser:
    """A Voss herad user (shared by the Teams report and the PSTN export)."""

    upn: str
    name: str
    object_id: str
    number: str


UserMaker = Callable[[random.Random, str, str, str, int], TeamsUser]


def unique_users(
    key: str, n: int, names: tuple[Sequence[str], Sequence[str]], domain: str, make: UserMaker
) -> list[TeamsUser]:
    """Draw ``n`` users with distinct ``first.last@domain`` UPNs; ``make`` builds each one."""
    rng = rng_for(key)
    users: list[TeamsUser] = []
    seen: set[str] = set()
    while len(users) < n:
        first, last = rng.choice(names[0]), rng.choice(names[1])
        upn = f"{fold(first)}.{fold(last)}@{domain}"
        if upn not in seen:
            seen.add(upn)
            users.append(make(rng, upn, first, last, len(users)))
    return users


def voss_user(rng: random.Random, upn: str, first: str, last: str, index: int) -> TeamsUser:
    number = f"+4756{rng.randint(510000, 539999)}"  # drawn before the id, as the files expect
    return TeamsUser(upn, f"{first} {last}", new_uuid(rng), number)


def voss_users(n: int = 40) -> list[TeamsUser]:
    """Deterministic Voss herad users with UPNs, display names, ids and phone numbers."""
    return unique_users("teams:voss:users", n, (NO_FIRST, NO_LAST), "voss.herad.no", voss_user)


def split_count(rng: random.Random, total: int) -> tuple[int, int, int]:
    """Break a meeting count into ad hoc / one-time / recurring, leaving some unclassified."""
    classified = total - (rng.randint(0, 1) if total else 0)
    adhoc = rng.randint(0, classified)
    once = rng.randint(0, classified - adhoc)
    return adhoc, once, classified - adhoc - once


def active_user_row(rng: random.Random, user: TeamsUser) -> list:
    """Counts for a licensed, active user over the 30-day period."""
    attended = rng.randint(0, 40)
    organised = rng.randint(0, min(attended, 15))
    calls = rng.randint(0, 25)
    audio = attended * rng.randint(600, 3600) + calls * rng.randint(60, 600)
    video = audio * rng.randint(0, 70) // 100
    screen = audio * rng.randint(0, 25) // 100
    team_chat = rng.randint(0, 60)
    posts = rng.randint(0, team_chat // 3)
    replies = rng.randint(0, team_chat - posts)
    org, att = split_count(rng, organised), split_count(rng, attended)
    last = dt.date(2024, 3, rng.randint(4, 29))
    return [
        last.isoformat(), "False", "", rng.choice(PRODUCTS), team_chat, rng.randint(0, 400),
        calls, attended, posts, replies, rng.randint(0, 2), organised, attended,
        org[0], att[0], org[1], att[1], org[2], att[2],
        iso_duration(audio), iso_duration(video), iso_duration(screen), audio, video, screen,
        rng.choice(("Yes", "No")), "Yes",
    ]  # fmt: skip


def idle_user_row(rng: random.Random, deleted: bool) -> list:
    """Counts for an inactive (still licensed) or a deleted user."""
    last = "" if deleted else dt.date(2024, 2, rng.randint(1, 28)).isoformat()
    deleted_on = dt.date(2024, 3, rng.randint(2, 20)).isoformat() if deleted else ""
    products = "" if deleted else rng.choice(PRODUCTS)
    return [
        last,
        str(deleted),
        deleted_on,
        products,
        *[0] * 15,
        "PT0S",
        "PT0S",
        "PT0S",
        0,
        0,
        0,
        "No",
        "No" if deleted else "Yes",
    ]


def write_teams_user_activity(path: Path) -> dict:
    """1a for Voss herad, March 2024: 40 users, UTF-8 BOM, CRLF, 33 columns."""
    rng = rng_for("teams:voss:activity")
    rows = []
    for i, user in enumerate(voss_users()):
        if i in (17, 33):
            values = idle_user_row(rng, deleted=True)
        elif i in (8, 26):
            values = idle_user_row(rng, deleted=False)
        else:
            values = active_user_row(rng, user)
        rows.append(["2024-03-31", "Voss herad", "", user.object_id, user.upn, *values, 30])
    assert all(len(r) == len(TEAMS_DETAIL_HEADER) == 33 for r in rows)
    write_text(path, csv_text([TEAMS_DETAIL_HEADER, *rows], ",", "\r\n"), bom=True)
    col = {name: i for i, name in enumerate(TEAMS_DETAIL_HEADER)}

    def total(name: str) -> int:
        return sum(r[col[name]] for r in rows)

    return {
        "rows": len(rows),
        "bad_rows": [],
        "columns": len(TEAMS_DETAIL_HEADER),
        "tenant": "Voss herad",
        "report_refresh_date": "2024-03-31",
        "report_period": 30,
        "deleted_users": sum(r[col["Is Deleted"]] == "True" for r in rows),
        "licensed_users": sum(r[col["Is Licensed"]] == "Yes" for r in rows),
        "meeting_count": total("Meeting Count"),
        "meetings_organized": total("Meetings Organized Count"),
        "meetings_attended": total("Meetings Attended Count"),
        "call_count": total("Call Count"),
        "audio_seconds": total("Audio Duration In Seconds"),
        "video_seconds": total("Video Duration In Seconds"),
        "screen_share_seconds": total("Screen Share Duration In Seconds"),
    }


TEAMS_COUNTS_HEADER = (
    "Report Refresh Date", "Report Date", "Team Chat Messages", "Private Chat Messages", "Calls",
    "Meetings", "Meetings Organized Count", "Meetings Attended Count", "Audio Duration",
    "Video Duration", "Screen Share Duration", "Post Messages", "Reply Messages", "Report Period",
)  # fmt: skip


def activity_day(rng: random.Random, day: dt.date) -> tuple[list, tuple[int, ...]]:
    """One day of tenant-wide counts; weekends and holidays have no meetings, empty durations."""
    if day.weekday() >= 5 or is_holiday(day):
        chats = (rng.randint(0, 4), rng.randint(0, 12))
        row = [day.isoformat(), *chats, 0, 0, 0, 0, "", "", "", 0, 0]
        return row, (0, 0, 0, 0, 0, 0)
    calls, meetings = rng.randint(10, 40), rng.randint(30, 90)
    organised = rng.randint(8, 25)
    audio = meetings * rng.randint(1800, 3000) + calls * rng.randint(120, 300)
    video = audio * rng.randint(20, 40) // 100
    screen = audio * rng.randint(5, 15) // 100
    row = [
        day.isoformat(), rng.randint(20, 90), rng.randint(300, 900), calls, meetings, organised,
        meetings, iso_duration(audio), iso_duration(video), iso_duration(screen),
        rng.randint(3, 12), rng.randint(5, 20),
    ]  # fmt: skip
    return row, (calls, meetings, organised, audio, video, screen)


def write_teams_activity_counts(path: Path) -> dict:
    """1c for Odsherred: 28 daily rows (newest first) though the period says 30."""
    rng = rng_for("teams:odsherred:counts")
    days = [dt.date(2024, 3, 1) + dt.timedelta(days=i) for i in range(28)]
    rows, sums = [], [0] * 6
    for day in days:
        row, figures = activity_day(rng, day)
        rows.append(["2024-03-29", *row, 30])
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
    rows.reverse()
    write_text(path, csv_text([TEAMS_COUNTS_HEADER, *rows]), bom=True)
    return {
        "rows": len(rows),
        "bad_rows": [],
        "report_refresh_date": "2024-03-29",
        "report_period": 30,
        "first_report_date": "2024-03-01",
        "last_report_date": "2024-03-28",
        "zero_days": sum(r[5] == 0 for r in rows),
        "calls": sums[0],
        "meetings": sums[1],
        "meetings_organized": sums[2],
        "meetings_attended": sums[1],
        "audio_seconds": sums[3],
        "video_seconds": sums[4],
        "screen_share_seconds": sums[5],
    }


# --------------------------------------------------------------------------------------------
# 2a: Teams PSTN usage export (zip)
# --------------------------------------------------------------------------------------------

PSTN_HEADER = (
    "UsageId", "Call ID", "Conference ID", "User Location", "AAD ObjectId", "UPN",
    "User Display Name", "Caller ID", "Call Type", "Number Type", "Domestic/International",
    "Destination Dialed", "Destination Number", "Start Time", "End Time", "Duration Seconds",
    "Connection Fee", "Charge", "Currency", "Capability",
)  # fmt: skip
DK_FIRST = ("Mette", "Lars", "Jens", "Hanne", "Søren", "Pia", "Anders", "Kirsten", "Henrik", "Lone")
DK_LAST = ("Jensen", "Nielsen", "Hansen", "Pedersen", "Christensen", "Sørensen", "Rasmussen")
CALL_TYPES = (
    ("user_out", 42), ("user_in", 32), ("conf_in", 9), ("conf_out", 3),
    ("user_out_transfer", 5), ("user_out_forwarding", 5), ("user_out_conf", 4),
)  # fmt: skip


@dataclass(frozen=True)
class Tenant:
    """Country settings for PSTN rows."""

    location: str
    currency: str
    country: str
    prefix: str
    rate_cents: int  # per started minute for outbound domestic calls


NORWAY = Tenant("NO", "NOK", "Norway", "+4756", 19)
DENMARK = Tenant("DK", "DKK", "Denmark", "+4559", 12)


def odsherred_user(rng: random.Random, upn: str, first: str, last: str, index: int) -> TeamsUser:
    name = f"{last}, {first}" if index % 3 == 0 else f"{first} {last}"
    return TeamsUser(upn, name, new_uuid(rng), f"+4559{rng.randint(660000, 669999)}")


def odsherred_users(n: int = 10) -> list[TeamsUser]:
    """Odsherred users; every third display name is 'Last, First' (needs RFC-4180 quoting)."""
    key = "pstn:odsherred:users"
    return unique_users(key, n, (DK_FIRST, DK_LAST), "odsherred.dk", odsherred_user)


def pstn_time(moment: dt.datetime, fraction: str) -> str:
    """ISO-8601 UTC with 7 fractional digits or none."""
    base = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{base}.{fraction}Z" if fraction else f"{base}Z"


def pstn_row(rng: random.Random, user: TeamsUser | None, tenant: Tenant, call_type: str) -> list:
    """One PSTN usage row; ``user`` None gives a bot (ucap_in) row with empty user fields."""
    day = workday(rng, 2024, 3)
    clock = dt.time(rng.randint(6, 14), rng.randint(0, 59), rng.randint(0, 59))
    start = dt.datetime.combine(day, clock)
    seconds = rng.randint(8, 1800) if call_type != "conf_in" else rng.randint(600, 3600)
    end = start + dt.timedelta(seconds=seconds)
    fraction = f"{rng.randint(0, 9_999_999):07d}" if rng.random() < 0.7 else ""
    external = f"{tenant.prefix}{rng.randint(100000, 999999)}"
    own = user.number if user else f"{tenant.prefix}000100"
    outbound = call_type.startswith(("user_out", "conf_out"))
    caller, dialled = (own, external) if outbound else (external, own)
    charge = -(-seconds // 60) * tenant.rate_cents if outbound else 0
    number_type = "TollFree" if call_type == "conf_in" and rng.random() < 0.5 else "Subscriber"
    if call_type == "conf_in" and number_type == "TollFree":
        charge = -(-seconds // 60) * 5
    capability = {"conf_in": "MCOMEETADD", "conf_out": "MCOMEETADD", "ucap_in": "MCOCAP"}
    ip = f"10.{rng.randint(0, 9)}.{rng.randint(0, 254)}.{rng.randint(1, 254)}"
    return [
        new_uuid(rng), f"{rng.randint(10**9, 2 * 10**9)}_{rng.randint(10**8, 10**9)}@{ip}",
        rng.randint(100_000_000, 999_999_999) if call_type.startswith("conf") else "",
        tenant.location, user.object_id if user else "", user.upn if user else "",
        user.name if user else "", caller, call_type, number_type, "Domestic", tenant.country,
        dialled, pstn_time(start, fraction), pstn_time(end, fraction), seconds, "0.00",
        fmt_fixed(charge, 2, comma=False), tenant.currency,
        capability.get(call_type, "MCOPSTN1" if tenant is NORWAY else "MCOPSTN2"),
    ]  # fmt: skip


def pstn_rows() -> list[list]:
    """117 user rows (Voss and Odsherred) plus 3 ucap_in rows, sorted by start time."""
    rng = rng_for("pstn:2024-03")
    voss = voss_users()[:15]
    dk = odsherred_users()
    kinds, weights = zip(*CALL_TYPES, strict=True)
    rows = []
    for i in range(117):
        user, tenant = (rng.choice(voss), NORWAY) if i % 2 == 0 else (rng.choice(dk), DENMARK)
        rows.append(pstn_row(rng, user, tenant, rng.choices(kinds, weights=weights)[0]))
    rows += [pstn_row(rng, None, t, "ucap_in") for t in (NORWAY, DENMARK, NORWAY)]
    return sorted(rows, key=lambda r: (r[13], r[0]))


def write_pstn_zip(path: Path) -> dict:
    """2a: Calls.Export.{id}.zip with PSTN.calls.{date}.csv (RFC-4180) and parameters.json."""
    rows = pstn_rows()
    csv_bytes = csv_text([PSTN_HEADER, *rows], ",", "\r\n").encode("utf-8")
    parameters = {
        "ReportName": "PSTN and Direct Routing usage",
        "ReportType": "PSTN",
        "StartDate": "2024-03-01T00:00:00Z",
        "EndDate": "2024-03-31T23:59:59Z",
        "TimeZone": "UTC",
        "ExportId": "7f3a2c",
        "ExportedAt": "2024-04-02T06:00:00Z",
    }
    params = (json.dumps(parameters, indent=2) + "\n").encode("utf-8")
    inner = "PSTN.calls.2024-03-31.csv"
    path.write_bytes(fixed_zip([(inner, csv_bytes), ("parameters.json", params)]))
    return pstn_summary(rows, inner)


def pstn_summary(rows: list[list], inner: str) -> dict:
    """Expected figures for the PSTN export."""
    col = {name: i for i, name in enumerate(PSTN_HEADER)}
    seconds, charges = Counter(), Counter()
    for r in rows:
        domain = r[col["UPN"]].split("@")[1] if r[col["UPN"]] else ""
        seconds[domain] += r[col["Duration Seconds"]]
        charges[r[col["Currency"]]] += round(float(r[col["Charge"]]) * 100)
    return {
        "rows": len(rows),
        "bad_rows": [],
        "members": [inner, "parameters.json"],
        "csv_member": inner,
        "call_types": dict(sorted(Counter(r[col["Call Type"]] for r in rows).items())),
        "rows_without_upn": sum(not r[col["UPN"]] for r in rows),
        "currencies": dict(sorted(Counter(r[col["Currency"]] for r in rows).items())),
        "duration_seconds_total": sum(seconds.values()),
        "duration_seconds_by_upn_domain": {k or "(none)": v for k, v in sorted(seconds.items())},
        "charge_by_currency": {k: v / 100 for k, v in sorted(charges.items())},
        "quoted_display_names": sum("," in str(r[col["User Display Name"]]) for r in rows),
    }
