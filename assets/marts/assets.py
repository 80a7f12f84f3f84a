"""Marts: what analysts query — virtual meetings and progress against the programmes' targets."""

import base64
import json
from pathlib import Path

import dagster as dg

from ..materialize import rebuild_if_changed, upstream_fingerprint
from ..publish import MANIFEST, reports_root, seal_reports
from ..warehouse import Warehouse
from . import reports as report_files
from . import site as report_site

HERE = Path(__file__).parent
COMMON_SQL = (HERE / "common.sql").read_text(encoding="utf-8")
INPUTS = ["reference", "staging.meeting_activity", "staging.trips"]
REFERENCE = [
    dg.AssetKey(["ref", n]) for n in ("municipalities", "programme_members", "factors", "distances")
]
MARTS = [
    "marts.virtual_meetings",
    "marts.eligible_meetings",
    "marts.measured_travel",
    "marts.substitution_rates",
    "marts.municipality_progress",
    "marts.programme_progress",
    "marts.municipality_progress_historical",
    "marts.data_quality_flags",
]


def _sql(name: str) -> str:
    return (HERE / f"{name}.sql").read_text(encoding="utf-8")


@dg.asset(
    key=["marts", "virtual_meetings"],
    group_name="marts",
    deps=[dg.AssetKey(["staging", "meeting_activity"]), *REFERENCE],
    kinds={"duckdb"},
)
def virtual_meetings(warehouse: Warehouse) -> dg.MaterializeResult:
    """Virtual meetings and hours per programme, municipality (today's code), year and platform."""
    return rebuild_if_changed(
        warehouse, "marts.virtual_meetings", INPUTS, _sql("virtual_meetings"), COMMON_SQL
    )


@dg.asset(
    key=["marts", "eligible_meetings"],
    group_name="marts",
    deps=[dg.AssetKey(["staging", "meeting_activity"]), *REFERENCE],
    kinds={"duckdb"},
)
def eligible_meetings(warehouse: Warehouse) -> dg.MaterializeResult:
    """Remote-person meetings that could have replaced a trip, per municipality, export code and
    year: no audio-only or one-to-one calls, video-room meetings counted once, declared
    replacements apart."""
    return rebuild_if_changed(
        warehouse, "marts.eligible_meetings", INPUTS, _sql("eligible_meetings"), COMMON_SQL
    )


@dg.asset(
    key=["marts", "measured_travel"],
    group_name="marts",
    deps=[dg.AssetKey(["staging", "trips"]), dg.AssetKey(["ref", "municipalities"])],
    kinds={"duckdb"},
)
def measured_travel(warehouse: Warehouse) -> dg.MaterializeResult:
    """Trips to meetings from travel claims per municipality and year: count, km, car km and
    cost, the measured side that progress is judged on."""
    return rebuild_if_changed(
        warehouse, "marts.measured_travel", INPUTS, _sql("measured_travel"), COMMON_SQL
    )


@dg.asset(
    key=["marts", "substitution_rates"],
    group_name="marts",
    deps=[
        dg.AssetKey(["marts", "eligible_meetings"]),
        dg.AssetKey(["marts", "measured_travel"]),
        dg.AssetKey(["ref", "programmes"]),
        dg.AssetKey(["ref", "calibration"]),
        *REFERENCE,
    ],
    kinds={"duckdb"},
)
def substitution_rates(warehouse: Warehouse) -> dg.MaterializeResult:
    """How many trips a virtual meeting replaced, per municipality: calibrated on its own measured
    decline, else its programme's, else the default band (flagged), with the years it rests on
    and its leave-one-year-out error."""
    return rebuild_if_changed(
        warehouse,
        "marts.substitution_rates",
        [*INPUTS, "marts.eligible_meetings", "marts.measured_travel"],
        _sql("substitution_rates"),
        COMMON_SQL,
    )


@dg.asset(
    key=["marts", "municipality_progress"],
    group_name="marts",
    deps=[
        dg.AssetKey(["marts", "eligible_meetings"]),
        dg.AssetKey(["marts", "measured_travel"]),
        dg.AssetKey(["marts", "substitution_rates"]),
        *REFERENCE,
        dg.AssetKey(["ref", "targets"]),
        dg.AssetKey(["ref", "employees"]),
    ],
    kinds={"duckdb"},
)
def municipality_progress(warehouse: Warehouse) -> dg.MaterializeResult:
    """Each municipality's progress per year against its programme's stepped trip target: judged
    on travel claims where they exist, else on the calibrated estimate's band, with the status,
    the figure it judged and where the rate came from."""
    return rebuild_if_changed(
        warehouse,
        "marts.municipality_progress",
        [*INPUTS, "marts.eligible_meetings", "marts.measured_travel", "marts.substitution_rates"],
        _sql("municipality_progress"),
        COMMON_SQL,
    )


@dg.asset(
    key=["marts", "programme_progress"],
    group_name="marts",
    deps=[
        dg.AssetKey(["marts", "municipality_progress"]),
        dg.AssetKey(["marts", "measured_travel"]),
        dg.AssetKey(["ref", "programmes"]),
    ],
    kinds={"duckdb"},
)
def programme_progress(warehouse: Warehouse) -> dg.MaterializeResult:
    """Programme totals per year, with targets in energy terms (Dalarna: 7,900 MWh in 2011)."""
    return rebuild_if_changed(
        warehouse,
        "marts.programme_progress",
        [*INPUTS, "marts.municipality_progress", "marts.measured_travel"],
        _sql("programme_progress"),
        COMMON_SQL,
    )


@dg.asset(
    key=["marts", "municipality_progress_historical"],
    group_name="marts",
    deps=[
        dg.AssetKey(["marts", "eligible_meetings"]),
        dg.AssetKey(["marts", "municipality_progress"]),
        dg.AssetKey(["staging", "trips"]),
        *REFERENCE,
    ],
    kinds={"duckdb"},
)
def municipality_progress_historical(warehouse: Warehouse) -> dg.MaterializeResult:
    """Meetings, avoided trips and CO2 and measured trips under the codes the exports carried
    (Søgne 1018, Songdalen 1017, Granvin 1234 before the 2020 mergers), beside today's code;
    today's estimate is shared by each code's eligible meetings."""
    return rebuild_if_changed(
        warehouse,
        "marts.municipality_progress_historical",
        [*INPUTS, "marts.eligible_meetings", "marts.municipality_progress"],
        _sql("municipality_progress_historical"),
        COMMON_SQL,
    )


@dg.asset(
    key=["marts", "data_quality_flags"],
    group_name="marts",
    deps=[
        dg.AssetKey(["staging", "meeting_activity"]),
        dg.AssetKey(["staging", "trips"]),
        *REFERENCE,
        dg.AssetKey(["ref", "programmes"]),
    ],
    kinds={"duckdb"},
)
def data_quality_flags(warehouse: Warehouse) -> dg.MaterializeResult:
    """Why a year's figure is weaker than another's, per programme, municipality and year: platform
    changes, months without exports, aggregate-only sources, factor method breaks."""
    return rebuild_if_changed(
        warehouse,
        "marts.data_quality_flags",
        INPUTS,
        _sql("data_quality_flags"),
        COMMON_SQL,
    )


def _png_markdown(files: dict[str, Path], written: Path) -> str:
    parts = []
    for label, path in files.items():
        if path.suffix == ".png":
            data = base64.b64encode((written / path.name).read_bytes()).decode("ascii")
            parts.append(f"**{label}**\n\n![{label}](data:image/png;base64,{data})")
    return "\n\n".join(parts)


@dg.asset(
    key=["marts", "reports"],
    group_name="marts",
    deps=[dg.AssetKey(key.split(".")) for key in MARTS],
    kinds={"excel", "csv", "html"},
)
def reports(warehouse: Warehouse) -> dg.MaterializeResult:
    """Files people open, in the reports folder beside the warehouse: an Excel workbook and a PNG
    chart of progress per programme, the REMM indicators (meetings, trips, CO2 per employee) and a
    static site to share (site/index.html, a page per programme and municipality). Published with
    the warehouse at the end of a good run."""
    folder = reports_root(Path(warehouse.path))
    manifest = folder / MANIFEST
    salt = report_site.source_text()
    with warehouse.read() as con:
        # "raw" too: the site lists the source files (ops.files), which a rename alone changes.
        fingerprint = upstream_fingerprint(con, ["reference", "raw", *MARTS], salt)
        if manifest.exists():
            previous = json.loads(manifest.read_text(encoding="utf-8"))
            if previous.get("fingerprint") == fingerprint and all(
                (folder / name).exists() for name in previous.get("files", {}).values()
            ):
                files = {label: folder / name for label, name in previous["files"].items()}
                return dg.MaterializeResult(metadata=_report_metadata(folder, files, folder, True))
        staged = warehouse.publication.staged("reports")
        written = report_files.write_reports(con, staged)
        written["site"] = report_site.write_site(con, staged / "site")
    seal_reports(staged, fingerprint, written)
    files = {label: folder / path.relative_to(staged) for label, path in written.items()}
    return dg.MaterializeResult(metadata=_report_metadata(folder, files, staged, False))


def _report_metadata(folder: Path, files: dict, written: Path, unchanged: bool) -> dict:
    """The report files (where they are published) and their charts (read from `written`), shown
    the same whether rebuilt or not."""
    return {
        **({"unchanged": True} if unchanged else {}),
        "folder": dg.MetadataValue.path(str(folder)),
        **{label: dg.MetadataValue.path(str(path)) for label, path in files.items()},
        "charts": dg.MetadataValue.md(_png_markdown(files, written)),
    }
