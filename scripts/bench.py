"""Time the whole pipeline on a generated national year of call records: `make bench ROWS=N`.

In one run, on the same generated files (scripts/make_large_sample.py):
  (a) the headless run `dagster asset materialize -m pipeline.definitions --select '*'` over a
      drop folder holding the files, into a fresh warehouse;
  (b) the same over an empty drop folder (start-up, reference data, empty staging and marts);
  (c) DuckDB's own `create table as select * from read_csv(...)` of each file;
  (d) the run of (a) again with nothing new (it must change nothing);
  (e) a nightly increment: one new 150-row PSTN file beside the others, on (a)'s warehouse,
      after a first such night (e1, shown too): from the second publication on, a warehouse
      keeps a previous generation, which the run's build is updated from in place.
Each runs as a child process under /usr/bin/time -v for its peak RSS. (a), (b) and (c) run
`--repeat` rounds (default 3) of (b), (a), (c), after one uncounted warm-up run of (b). The ratio
is the median of the rounds' own ratios, and the tables show each run's median wall time and its
highest peak RSS, so one burst of other work on a shared machine does not decide the result.
Prints a markdown table and writes it into docs/benchmark.md, with the machine it ran on and every
repetition.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from make_large_sample import generate  # noqa: E402

DOC = ROOT / "docs" / "benchmark.md"
TIME = "/usr/bin/time"
STEP = re.compile(r'Finished execution of step "([^"]+)" in (?:(\d+)m(?!s))?(?:([0-9.]+)(ms|s))?')
TARGET_RATIO = 1.0
TARGET_RSS_MB = 1536
# The empty run's 16 s when issue 16 was filed, halved; an increment costs at most 3 s above (d).
TARGET_EMPTY_S = 8.0
TARGET_INCREMENT_S = 3.0
INCREMENT_ROWS = 150
INCREMENT_DAY = date(2024, 12, 31)

READ_CSV = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
started = time.perf_counter()
con.execute("create table t as select * from read_csv(?, store_rejects = true)", [sys.argv[2]])
rows = con.execute("select count(*) from t").fetchall()[0][0]
print(f"RESULT {time.perf_counter() - started:.3f} {rows}")
"""


def measured(cmd: list[str], env: dict | None = None) -> dict:
    """Run a child process; its wall time, peak RSS (MB) and output."""
    timed = [TIME, "-v", *cmd] if Path(TIME).exists() else cmd
    started = time.perf_counter()
    done = subprocess.run(timed, env=env, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-8000:])
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {done.returncode}")
    return {
        "wall_s": wall,
        "rss_mb": int(match.group(1)) / 1024 if match else float("nan"),
        "stdout": done.stdout,
        "stderr": done.stderr,
    }


def step_times(output: str) -> dict[str, float]:
    """Seconds per Dagster step, from the run's log."""
    scale = {"ms": 0.001, "s": 1.0, "": 0.0}
    return {
        name: 60.0 * int(minutes or 0) + float(n or 0) * scale[unit]
        for name, minutes, n, unit in STEP.findall(output)
    }


def prepared_files(rows: int, lync_rows: int | None, out: Path, seed: int) -> dict:
    """The generated files for this size, made now unless a matching manifest is already there."""
    manifest_path = out / f"manifest.{rows}.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        wanted = rows // 10 if lync_rows is None else lync_rows
        if (
            manifest["seed"] == seed
            and manifest["lync_rows"] == wanted
            and all((out / f["file"]).exists() for f in manifest["files"])
        ):
            return manifest
    return generate(rows, out, seed, lync_rows)


def link(source: Path, target: Path) -> None:
    """Put a generated file in a drop folder without copying gigabytes (hard link if possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        target.symlink_to(source)


def add_increment(work: Path, raw: Path, seed: int, night: int) -> None:
    """Put one small new PSTN export into the drop folder: another seed each night, so other
    calls, all of one day (31 December), as a nightly export brings them."""
    folder = work / f"increment{night}"
    small = generate(INCREMENT_ROWS, folder, seed + night, lync_rows=0, day=INCREMENT_DAY)
    pstn = next(f["file"] for f in small["files"] if f["file"].startswith("PSTN"))
    link(folder / pstn, raw / f"PSTN.increment{night}.{INCREMENT_ROWS}.csv")


def pipeline_env(work: Path, raw: Path, warehouse: Path) -> dict:
    home = work / "dagster_home"
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "pipeline" / "dagster.yaml", home / "dagster.yaml")
    env = dict(os.environ)
    env.update(
        DAGSTER_HOME=str(home),
        DAGSTER_DISABLE_TELEMETRY="1",
        RESFRITT_RAW_DIR=str(raw),
        RESFRITT_WAREHOUSE=str(warehouse),
        RESFRITT_PSEUDONYM_KEY=env.get("RESFRITT_PSEUDONYM_KEY", "bench-key-not-secret"),
    )
    return env


def materialize(env: dict) -> dict:
    dagster = Path(sys.executable).with_name("dagster")
    cmd = [str(dagster), "asset", "materialize", "-m", "pipeline.definitions", "--select", "*"]
    result = measured(cmd, env)
    result["steps"] = step_times(result["stdout"] + result["stderr"])
    return result


def duckdb_read(files: list[Path], work: Path) -> dict:
    """DuckDB's own full read of each file into a table of a fresh database file."""
    total = {"wall_s": 0.0, "rss_mb": 0.0, "rows": 0}
    for index, path in enumerate(files):
        target = work / f"read_csv_{index}.duckdb"
        target.unlink(missing_ok=True)
        result = measured([sys.executable, "-c", READ_CSV, str(target), str(path)])
        seconds, rows = result["stdout"].split("RESULT ")[1].split()
        total["wall_s"] += float(seconds)
        total["rss_mb"] = max(total["rss_mb"], result["rss_mb"])
        total["rows"] += int(rows)
        target.unlink(missing_ok=True)
    return total


def accounting(warehouse: Path, manifest: dict) -> list[dict]:
    """Per generated file: rows in, loaded and quarantined against what was planted."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        found = {
            row[0]: row[1:]
            for row in con.execute(
                "select path, sum(rows_in), sum(rows_loaded), sum(rows_quarantined), "
                "any_value(status) from ops.files group by path"
            ).fetchall()
        }
        held = dict(
            con.execute("select path, count(*) from ops.quarantine group by path").fetchall()
        )
    report = []
    for entry in manifest["files"]:
        rows_in, loaded, quarantined, status = found.get(entry["file"], (0, 0, 0, "missing"))
        report.append(
            {
                "file": entry["file"],
                "rows": entry["rows"],
                "rows_in": rows_in,
                "loaded": loaded,
                "quarantined": quarantined,
                "quarantine_rows": held.get(entry["file"], 0),
                "planted_bad": sum(entry["bad_rows"].values()),
                "bots_without_user": entry["bot_rows_without_user"],
                "exact": rows_in == entry["rows"]
                and rows_in == loaded + quarantined
                and quarantined == entry["expected_quarantined"]
                and held.get(entry["file"], 0) == quarantined,
                "status": status,
            }
        )
    return report


def fresh(folder: Path) -> Path:
    """A warehouse path in a new, empty folder."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder / "resfritt.duckdb"


def typical(repeats: list[dict]) -> dict:
    """The median repetition (the slower middle one of an even count), with the highest peak RSS
    of them all."""
    ordered = sorted(repeats, key=lambda r: r["wall_s"])
    return {**ordered[len(ordered) // 2], "rss_mb": max(r["rss_mb"] for r in repeats)}


def round_ratios(runs: dict) -> list[float]:
    """(a − b) / c of each round: a, b and c measured minutes apart, under the same load."""
    return [
        (a["wall_s"] - b["wall_s"]) / c["wall_s"]
        for a, b, c in zip(runs["a"], runs["b"], runs["c"], strict=True)
    ]


def warehouse_state(path: Path) -> tuple:
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def machine() -> str:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    import dagster

    return (
        f"{os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {memory_gb:.1f} GB RAM, "
        f"{platform.system()} {platform.machine()}; Python {platform.python_version()}, "
        f"DuckDB {duckdb.__version__}, Dagster {dagster.__version__}"
    )


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def render(rows: int, manifest: dict, runs: dict, checks: list[dict], noop: bool):
    a, b, read, d, e1, e = (typical(runs[key]) for key in ("a", "b", "c", "d", "e1", "e"))
    kept = {"a": a, "b": b, "d": d, "e1": e1, "e": e}
    repeats = "; ".join(
        f"({key}) " + ", ".join(f"{r['wall_s']:.1f}" for r in runs[key]) + " s"
        for key in ("a", "b", "c")
    )
    ratios = round_ratios(runs)
    each = ", ".join(f"{r:.2f}" for r in ratios)
    records = sum(f["rows"] for f in manifest["files"])
    size_mb = sum(f["bytes"] for f in manifest["files"]) / 1e6
    ratio = statistics.median(ratios)
    rate = records / max(a["wall_s"] - b["wall_s"], 1e-9)
    files = ", ".join(f"`{f['file']}` ({f['rows']:,} rows)" for f in manifest["files"])
    steps = {
        key: ", ".join(f"{name} {s:.1f} s" for name, s in sorted(kept[key]["steps"].items()))
        for key in ("a", "b", "d", "e1", "e")
    }
    lines = [
        f"### {rows:,} call records ({records:,} rows in all, {size_mb:,.0f} MB)",
        "",
        f"Files: {files}. Generated in {sum(f['write_s'] for f in manifest['files']):.1f} s.",
        f"Machine: {machine()}. Load average (1 min) at the start and end of the benchmark: "
        f"{runs['load'][0]:.1f} and {runs['load'][1]:.1f} (other jobs on the same 2 cores stretch "
        "every wall time; the ratio (a − b) / c is measured under the same load).",
        f"Command: `make bench ROWS={rows}` (`.venv/bin/python scripts/bench.py --rows {rows}`), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
        f"Repetitions, in the order they ran (the tables show the median of each, with the "
        f"highest peak RSS): {repeats}. The ratio (a − b) / c of each round: {each}; the target "
        "row shows their median.",
        "",
        "| run | wall s | peak RSS MB | rows/s |",
        "|---|---:|---:|---:|",
        f"| (a) full run, fresh warehouse | {a['wall_s']:.1f} | {a['rss_mb']:,.0f} | "
        f"{records / a['wall_s']:,.0f} |",
        f"| (b) full run, empty drop folder | {b['wall_s']:.1f} | {b['rss_mb']:,.0f} | |",
        f"| (c) DuckDB `create table as select * from read_csv` | {read['wall_s']:.1f} | "
        f"{read['rss_mb']:,.0f} | {records / read['wall_s']:,.0f} |",
        f"| (d) no-op rerun of (a) | {d['wall_s']:.1f} | {d['rss_mb']:,.0f} | |",
        f"| (e1) (a)'s warehouse + one new {INCREMENT_ROWS}-row file (no previous generation "
        f"yet: the build is a whole copy) | {e1['wall_s']:.1f} | {e1['rss_mb']:,.0f} | |",
        f"| (e) + one more new {INCREMENT_ROWS}-row file, a night like every later one | "
        f"{e['wall_s']:.1f} | {e['rss_mb']:,.0f} | |",
        f"| (a − b), the pipeline's own work | {a['wall_s'] - b['wall_s']:.1f} | | {rate:,.0f} |",
        "",
        "| target | value | |",
        "|---|---:|---|",
        f"| (a − b) / c ≤ {TARGET_RATIO} | {ratio:.2f} | {verdict(ratio <= TARGET_RATIO)} |",
        f"| peak RSS of (a) ≤ {TARGET_RSS_MB:,} MB | {a['rss_mb']:,.0f} MB | "
        f"{verdict(a['rss_mb'] <= TARGET_RSS_MB)} |",
        f"| (b) ≤ {TARGET_EMPTY_S:.0f} s (half the empty run of 16 s) | {b['wall_s']:.1f} s | "
        f"{verdict(b['wall_s'] <= TARGET_EMPTY_S)} |",
        f"| (d) ≤ (b) | {d['wall_s']:.1f} s | {verdict(d['wall_s'] <= b['wall_s'])} |",
        f"| (e) ≤ (d) + {TARGET_INCREMENT_S:.0f} s | {e['wall_s'] - d['wall_s']:+.1f} s | "
        f"{verdict(e['wall_s'] - d['wall_s'] <= TARGET_INCREMENT_S)} |",
        f"| (d) leaves the warehouse file untouched | {'unchanged' if noop else 'changed'} | "
        f"{verdict(noop)} |",
        f"| quarantine exact | {'yes' if all(c['exact'] for c in checks) else 'no'} | "
        f"{verdict(all(c['exact'] for c in checks))} |",
        "",
        "| file | rows | rows in | loaded | quarantined | of which planted bad | "
        "of which bot calls without a user | exact |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        *(
            f"| {c['file']} | {c['rows']:,} | {c['rows_in']:,} | {c['loaded']:,} | "
            f"{c['quarantined']:,} | {c['planted_bad']:,} | {c['bots_without_user']:,} | "
            f"{'yes' if c['exact'] else 'NO'} |"
            for c in checks
        ),
        "",
        f"Steps of (a): {steps['a']}.",
        "",
        f"Steps of (b): {steps['b']}.",
        "",
        f"Steps of (d): {steps['d']}.",
        "",
        f"Steps of (e1): {steps['e1']}.",
        "",
        f"Steps of (e): {steps['e']}.",
    ]
    return "\n".join(lines) + "\n"


def write_doc(rows: int, section: str) -> None:
    """Replace this size's results in docs/benchmark.md (between markers), keeping the rest."""
    start, end = f"<!-- bench rows={rows} -->", f"<!-- /bench rows={rows} -->"
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmark\n\n## Results\n"
    block = f"{start}\n{section}{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        anchor = "<!-- /results -->"
        text = text.replace(anchor, f"{block}\n\n{anchor}") if anchor in text else text + block
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--lync-rows", type=int, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "large")
    parser.add_argument("--work", type=Path, default=Path("/tmp/resfritt-bench"))
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (b), (a) and (c)")
    parser.add_argument("--no-doc", action="store_true", help="print only, do not write the doc")
    args = parser.parse_args()

    manifest = prepared_files(args.rows, args.lync_rows, args.out.resolve(), args.seed)
    files = [args.out.resolve() / f["file"] for f in manifest["files"]]
    work = args.work / str(args.rows)
    shutil.rmtree(work, ignore_errors=True)
    raw, empty = work / "raw", work / "empty"
    empty.mkdir(parents=True)
    for path in files:
        link(path, raw / path.name)

    runs: dict = {"load": [os.getloadavg()[0]], "a": [], "b": [], "c": []}
    print("warm-up: (b) once, not counted (imports and reference files into the page cache) ...")
    materialize(pipeline_env(work, empty, fresh(work / "warm-up")))
    for round_ in range(1, args.repeat + 1):
        print(f"round {round_}: (b) empty drop folder ...", flush=True)
        runs["b"].append(materialize(pipeline_env(work, empty, fresh(work / f"b{round_}"))))
        print(f"round {round_}: (a) full run ...", flush=True)
        warehouse = fresh(work / f"a{round_}")
        runs["a"].append(materialize(pipeline_env(work, raw, warehouse)))
        print(f"round {round_}: (c) DuckDB read_csv ...", flush=True)
        runs["c"].append(duckdb_read(files, work))
    before = warehouse_state(warehouse)
    print("(d) no-op rerun of the last (a) ...", flush=True)
    runs["d"] = [materialize(pipeline_env(work, raw, warehouse))]
    unchanged = warehouse_state(warehouse) == before
    checks = accounting(warehouse, manifest)
    for night, key in ((1, "e1"), (2, "e")):
        print(f"({key}) one new {INCREMENT_ROWS}-row file on the same warehouse ...", flush=True)
        add_increment(work, raw, args.seed, night)
        runs[key] = [materialize(pipeline_env(work, raw, warehouse))]
    runs["load"].append(os.getloadavg()[0])
    section = render(args.rows, manifest, runs, checks, unchanged)
    print(section)
    if not args.no_doc:
        write_doc(args.rows, section)
        print(f"Written to {DOC.relative_to(ROOT)}.")


if __name__ == "__main__":
    main()
