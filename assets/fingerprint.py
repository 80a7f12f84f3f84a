"""One policy for "has this changed": a fingerprint is the hash of its inputs' fingerprints and
of the code that made it, the code found automatically from a module's imports.

A module's code is its own source, the source of every module of this project it imports (and
they import), and the SQL, TOML and template files beside each of those modules (or in a
`templates/` folder beside). Editing any of them changes the fingerprint, so nothing relies on a
hand-bumped version number.

What was built is kept in one ledger, ops.builds (table name, fingerprint): a build whose inputs'
recorded fingerprints and code are as last time is skipped. Files keep theirs in ops.files. A
table that can grow by files (staging) also keeps, in ops.build_files, the file versions it holds,
so a build that only gains files adds their rows instead of starting over.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import duckdb

from .db import table_exists

ROOT = Path(__file__).resolve().parent.parent
DATA_SUFFIXES = (".sql", ".toml", ".html", ".css")
DATA_FOLDERS = (".", "templates")


def fingerprint(inputs: Iterable[str], code: str) -> str:
    """The fingerprint of a result: its inputs' fingerprints, in order, and its code's."""
    digest = hashlib.sha256(b"resfritt fingerprint\0")
    for value in [*inputs, code]:
        digest.update(value.encode() + b"\0")
    return digest.hexdigest()[:16]


def code_fingerprint(module: str, root: Path = ROOT) -> str:
    """The hash of a module's code (see the module docstring), independent of where `root` is."""
    digest = hashlib.sha256()
    for path in code_files(module, root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def code_files(module: str, root: Path = ROOT) -> list[Path]:
    """The module's source files under `root`, those they import, and the data files beside."""
    seen: set[Path] = set()
    pending = [_module_file(module, root)]
    while pending:
        path = pending.pop()
        if path is None or path in seen:
            continue
        seen.add(path)
        stat = path.stat()
        pending.extend(_imported_files(path, root, stat.st_mtime_ns, stat.st_size))
    data = {
        p
        for path in seen
        for folder in DATA_FOLDERS
        for s in DATA_SUFFIXES
        for p in (path.parent / folder).glob(f"*{s}")
    }
    return sorted(seen | data)


def _module_file(dotted: str, root: Path) -> Path | None:
    base = root.joinpath(*dotted.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _package_of(path: Path, root: Path) -> list[str]:
    """The package a module file belongs to, as a list of names (for relative imports)."""
    return list(path.relative_to(root).parent.parts)


@functools.lru_cache(maxsize=1024)
def _imported_files(path: Path, root: Path, mtime_ns: int, size: int) -> tuple[Path | None, ...]:
    """Files of this project that one module imports (absolute or relative imports); parsed
    once per version of the file (its time and size), as every check asks again."""
    found: list[Path | None] = []
    for node in ast.walk(ast.parse(path.read_bytes())):
        if isinstance(node, ast.Import):
            found.extend(_module_file(alias.name, root) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            package = _package_of(path, root)
            base = package[: len(package) - node.level + 1] if node.level else []
            dotted = ".".join([*base, *(node.module or "").split(".")]).strip(".")
            found.append(_module_file(dotted, root))
            found.extend(_module_file(f"{dotted}.{alias.name}", root) for alias in node.names)
    return tuple(found)


BUILDS_DDL = """
create schema if not exists ops;
create table if not exists ops.builds (asset varchar, fingerprint varchar, built_at timestamp)
"""


def recorded(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    """The fingerprint the last build of `name` (a table such as `staging.trips`) recorded."""
    if not table_exists(con, "ops", "builds"):
        return None
    row = con.execute(
        "select fingerprint from ops.builds where asset = ? order by built_at desc limit 1", [name]
    ).fetchall()
    return row[0][0] if row else None


def record(con: duckdb.DuckDBPyConnection, name: str, value: str) -> None:
    """Keep `value` as the fingerprint of what was just built as `name`."""
    con.execute(BUILDS_DDL)
    con.execute("delete from ops.builds where asset = ?", [name])
    con.execute("insert into ops.builds values (?, ?, current_timestamp)", [name, value])


BUILD_FILES_DDL = """
create schema if not exists ops;
create table if not exists ops.build_files (
    asset varchar, path varchar, part varchar, fingerprint varchar
)
"""


def without_files(name: str) -> str:
    """The ledger name of what a table that grows by files reads other than its files."""
    return f"{name}#without-files"


def rebuilt(name: str) -> str:
    """The ledger name of the last whole rebuild of a table that grows by files: checks of its
    rows validate every row again after one (a rebuild may change rows of earlier files)."""
    return f"{name}#rebuilt"


def recorded_files(con: duckdb.DuckDBPyConnection, name: str) -> set[tuple]:
    """The file versions (path, part, fingerprint) the last build of `name` was made from."""
    if not table_exists(con, "ops", "build_files"):
        return set()
    rows = con.execute(
        "select path, part, fingerprint from ops.build_files where asset = ?", [name]
    ).fetchall()
    return set(rows)


def added_paths(before: set[tuple], now: set[tuple]) -> list[str] | None:
    """The paths of the file versions in `now` and not `before`, sorted; None when a version of
    `before` is gone (a file was reloaded, renamed or emptied): then nothing can be added."""
    if not before <= now:
        return None
    return sorted({path for path, _, _ in now - before})


def record_files(con: duckdb.DuckDBPyConnection, name: str, files: set[tuple]) -> None:
    """Keep the file versions (path, part, fingerprint) that `name` was just built from."""
    con.execute(BUILD_FILES_DDL)
    con.execute("delete from ops.build_files where asset = ?", [name])
    if files:
        con.executemany(
            "insert into ops.build_files values (?, ?, ?, ?)",
            [[name, *f] for f in sorted(files, key=repr)],
        )


def built_from(
    con: duckdb.DuckDBPyConnection, inputs: Iterable[str], code: str, outside: Iterable[str] = ()
) -> str:
    """The fingerprint a build of these inputs (table names) with this code has: their recorded
    fingerprints, by name, the fingerprints of inputs from outside the warehouse (files), and the
    code's."""
    names = sorted(inputs)
    found = dict.fromkeys(names)
    if names and table_exists(con, "ops", "builds"):
        found.update(
            con.execute(
                "select asset, arg_max(fingerprint, built_at) from ops.builds "
                "where list_contains(?, asset) group by asset",
                [names],
            ).fetchall()
        )
    named = [f"{name}={found[name]}" for name in names]
    return fingerprint([*named, *outside], code)


def query_fingerprint(con: duckdb.DuckDBPyConnection, sql: str, params=None) -> str:
    """The hash of what a query returns (the inputs a table outside the ledger contributes)."""
    return hashlib.sha256(repr(con.execute(sql, params or []).fetchall()).encode()).hexdigest()[:16]
