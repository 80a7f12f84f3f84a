"""2c: Lync / Skype for Business SessionDetails exports (Knutepunkt, Voss)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from samples.common import by_year, csv_text, fold, ms_time, rng_for, workday, write_text

LYNC_HEADER = (
    "SessionIdTime", "SessionIdSeq", "FromUri", "ToUri", "InviteTime", "ResponseCode",
    "SessionEndTime", "MediaTypes",
)  # fmt: skip
NO_FIRST = (
    "Ola", "Kari", "Ingrid", "Tor", "Marit", "Lars", "Hilde", "Øyvind", "Siri", "Bjørn",
    "Sigrid", "Espen", "Anne", "Håkon", "Trine", "Geir", "Solveig", "Knut", "Randi", "Eirik",
)  # fmt: skip
NO_LAST = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen",
    "Egeland", "Aasen", "Haugland", "Tveit", "Lie", "Dale", "Vik", "Bakke", "Moen", "Lunde",
    "Brekke", "Seim", "Lid", "Hylle", "Rokne", "Flatebø", "Gjerme",
)  # fmt: skip
KNUTEPUNKT_DOMAINS = (
    ("kristiansand.kommune.no", 10), ("vennesla.kommune.no", 4), ("sogne.kommune.no", 3),
    ("songdalen.kommune.no", 3), ("lillesand.kommune.no", 3), ("birkenes.kommune.no", 2),
    ("iveland.kommune.no", 2),
)  # fmt: skip
IT_ORGANISER = "tor.egeland@kristiansand.kommune.no"
IT_CONFERENCE = "sip:it-utvalget@kristiansand.kommune.no;gruu;opaque=app:conf:focus:id:F7K2Q9XB"
IT_DATES = ("2013-01-23", "2013-03-13", "2013-05-22", "2013-09-11", "2013-10-23", "2013-12-04")
MEDIA_DURATION = {1: (60, 1200), 8: (300, 3600), 16: (120, 2700), 48: (300, 3600)}
BAD_END_TIME = "2013-13-45 99:00:00"


@dataclass(frozen=True)
class Session:
    """One SessionDetails row (end is None for a failed invite)."""

    start: dt.datetime
    seq: int
    from_uri: str
    to_uri: str
    invite_ms: int
    code: int
    end: dt.datetime | str | None
    media: int

    def row(self) -> tuple:
        invite = self.start + dt.timedelta(milliseconds=self.invite_ms)
        end = self.end if isinstance(self.end, str) else ms_time(self.end) if self.end else "NULL"
        return (
            ms_time(self.start),
            self.seq,
            self.from_uri,
            self.to_uri,
            ms_time(invite),
            self.code,
            end,
            self.media,
        )

    def duration_ms(self) -> int:
        """SessionEndTime - InviteTime in ms (0 for failed or malformed sessions)."""
        if not isinstance(self.end, dt.datetime):
            return 0
        invite = self.start + dt.timedelta(milliseconds=self.invite_ms)
        return (self.end - invite) // dt.timedelta(milliseconds=1)


def sip_users(rng: random.Random, domains: Sequence[tuple[str, int]]) -> list[str]:
    """A pool of user URIs (no sip: prefix, as in the Users table join)."""
    users = set()
    for domain, count in domains:
        while sum(u.endswith("@" + domain) for u in users) < count:
            users.add(f"{fold(rng.choice(NO_FIRST))}.{fold(rng.choice(NO_LAST))}@{domain}")
    return sorted(users)


def office_time(rng: random.Random, day: dt.date) -> dt.datetime:
    """A random local time between 08:00 and 15:59 with milliseconds."""
    clock = dt.time(rng.randint(8, 15), rng.randint(0, 59), rng.randint(0, 59))
    return dt.datetime.combine(day, clock) + dt.timedelta(milliseconds=rng.randint(0, 999))


def peer_session(rng: random.Random, users: list[str], day: dt.date, phone_prefix: str) -> Session:
    """An ordinary peer-to-peer session (some to phone numbers, some busy)."""
    start = office_time(rng, day)
    media = rng.choices((1, 16, 48, 8), weights=(40, 30, 18, 12))[0]
    caller = rng.choice(users)
    callee = rng.choice([u for u in users if u != caller])
    if media == 16 and rng.random() < 0.2:
        callee = f"{phone_prefix}{rng.randint(100000, 999999)}"
    invite_ms = rng.randint(0, 4)
    if media != 1 and rng.random() < 0.12:
        return Session(start, 1, caller, callee, invite_ms, 486, None, media)
    lo, hi = MEDIA_DURATION[media]
    end = start + dt.timedelta(milliseconds=invite_ms + rng.randint(lo * 1000, hi * 1000))
    return Session(start, 1, caller, callee, invite_ms, 200, end, media)


def same_ms_twins(rng: random.Random, sessions: list[Session], users: list[str], n: int) -> list:
    """Sessions that start in the same millisecond as another one (SessionIdSeq = 2)."""
    twins = []
    for base in rng.sample(sessions, n):
        caller, callee = rng.sample(users, 2)
        end = base.start + dt.timedelta(seconds=rng.randint(60, 900))
        twins.append(Session(base.start, 2, caller, callee, 3, 200, end, 1))
    return twins


def it_committee(rng: random.Random) -> list[Session]:
    """The six IT-utvalget conferences of 2013: audio+video, about half an hour each."""
    sessions = []
    for day in IT_DATES:
        start = dt.datetime.fromisoformat(f"{day} 09:0{rng.randint(0, 4)}:{rng.randint(10, 59)}")
        start += dt.timedelta(milliseconds=rng.randint(0, 999))
        end = start + dt.timedelta(milliseconds=rng.randint(1_680_000, 1_980_000))
        sessions.append(Session(start, 1, IT_ORGANISER, IT_CONFERENCE, 0, 200, end, 48))
    return sessions


def write_lync_knutepunkt(path: Path) -> dict:
    """2c for Knutepunkt Sørlandet 2013: 6 committee conferences, ~200 p2p, 1 malformed row."""
    rng = rng_for("lync:knutepunkt:2013")
    users = sip_users(rng, KNUTEPUNKT_DOMAINS)
    peers = [peer_session(rng, users, workday(rng, 2013), "+4738") for _ in range(197)]
    peers += same_ms_twins(rng, peers, users, 3)
    committee = it_committee(rng)
    broken = peer_session(rng, users, dt.date(2013, 6, 18), "+4738")
    broken = Session(broken.start, 1, broken.from_uri, broken.to_uri, 1, 200, BAD_END_TIME, 16)
    sessions = sorted([*peers, *committee, broken], key=lambda s: (s.start, s.seq))
    write_text(path, csv_text([LYNC_HEADER, *(s.row() for s in sessions)], ",", "\r\n"))
    line = sessions.index(broken) + 2
    summary = session_summary(sessions, exclude=[broken])
    summary["bad_rows"] = [
        {
            "line": line,
            "column": "SessionEndTime",
            "value": BAD_END_TIME,
            "reason": "invalid datetime (month 13, day 45, hour 99)",
        }
    ]
    total_ms = sum(s.duration_ms() for s in committee)
    summary["it_utvalget"] = {
        "organiser": IT_ORGANISER,
        "conference_uri": IT_CONFERENCE,
        "sessions": len(committee),
        "dates": list(IT_DATES),
        "media_types": 48,
        "duration_ms_each": [s.duration_ms() for s in committee],
        "total_duration_ms": total_ms,
        "total_duration_seconds": total_ms / 1000,
        "duration_definition": "SessionEndTime - InviteTime (InviteTime = SessionIdTime here)",
    }
    summary["peer_to_peer_sessions"] = len(peers)
    return summary


def session_summary(sessions: list[Session], exclude: Sequence[Session] = ()) -> dict:
    """Expected figures for a SessionDetails file (malformed rows excluded from figures)."""
    good = [s for s in sessions if s not in exclude]
    return {
        "rows": len(sessions),
        "bad_rows": [],
        "valid_rows": len(good),
        "rows_per_year": by_year(Counter(s.start.year for s in good)),
        "media_types": {str(k): v for k, v in sorted(Counter(s.media for s in good).items())},
        "response_codes": {str(k): v for k, v in sorted(Counter(s.code for s in good).items())},
        "null_end_times": sum(s.end is None for s in good),
        "same_ms_seq2_rows": sum(s.seq == 2 for s in good),
        "total_duration_ms": sum(s.duration_ms() for s in good),
    }


def voss_conference(rng: random.Random, users: list[str], day: dt.date) -> list[Session]:
    """One Skype for Business meeting: the organiser and 1-4 others join the focus."""
    organiser = rng.choice(users)
    conf_id = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(8))
    uri = f"sip:{organiser};gruu;opaque=app:conf:focus:id:{conf_id}"
    start = office_time(rng, day).replace(minute=rng.choice((0, 30)))
    end = start + dt.timedelta(minutes=rng.randint(20, 90), milliseconds=rng.randint(0, 999))
    joins = [organiser, *rng.sample([u for u in users if u != organiser], rng.randint(1, 4))]
    media = rng.choice((16, 48, 24))
    rows = []
    for i, who in enumerate(joins):
        delay = dt.timedelta(seconds=i * rng.randint(5, 120), milliseconds=rng.randint(0, 999))
        joined = start + delay
        left = end - dt.timedelta(seconds=rng.randint(0, 60))
        rows.append(Session(joined, 1, who, uri, rng.randint(0, 4), 200, left, media))
    return rows


def write_sfb_voss(path: Path) -> dict:
    """2c for Voss 2017-2019 (Skype for Business): UTF-8 BOM, CRLF, p2p and conference joins."""
    rng = rng_for("sfb:voss")
    users = sip_users(rng, (("voss.kommune.no", 28),))
    sessions, conferences = [], Counter()
    for year, peers, confs in ((2017, 80, 7), (2018, 72, 8), (2019, 64, 9)):
        sessions += [peer_session(rng, users, workday(rng, year), "+4756") for _ in range(peers)]
        for _ in range(confs):
            sessions += voss_conference(rng, users, workday(rng, year))
            conferences[year] += 1
    sessions = sorted(sessions, key=lambda s: (s.start, s.seq, s.from_uri))
    write_text(path, csv_text([LYNC_HEADER, *(s.row() for s in sessions)], ",", "\r\n"), bom=True)
    summary = session_summary(sessions)
    joins = [s for s in sessions if "app:conf:focus" in s.to_uri]
    summary["conference_joins_per_year"] = by_year(Counter(s.start.year for s in joins))
    summary["conferences_per_year"] = by_year(conferences)
    summary["distinct_users"] = len({s.from_uri for s in sessions})
    return summary
