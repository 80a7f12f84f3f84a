"""Exports: the files people open, made from the marts and published with the warehouse."""

import base64
import json
from pathlib import Path

import dagster as dg

from ..db import table_exists
from ..fingerprint import built_from, code_fingerprint
from ..freshness import declared_inputs
from ..marts.assets import MARTS
from ..publish import MANIFEST, parquet_root, reports_root, seal_reports
from ..warehouse import Warehouse
from . import reports as report_files
from . import site as report_site
from .parquet import EXPORTED, write_version

CODE = code_fingerprint(__name__)
FILES = dg.AssetKey(["ops", "files"])


def _png_markdown(files: dict[str, Path], written: Path) -> str:
    parts = []
    for label, path in files.items():
        if path.suffix == ".png":
            data = base64.b64encode((written / path.name).read_bytes()).decode("ascii")
            parts.append(f"**{label}**\n\n![{label}](data:image/png;base64,{data})")
    return "\n\n".join(parts)


def _kept_reports(folder: Path, value: str) -> dict[str, Path] | None:
    """The published report files, if the manifest says they were made from these inputs."""
    manifest = folder / MANIFEST
    if not manifest.exists():
        return None
    previous = json.loads(manifest.read_text(encoding="utf-8"))
    files = {label: folder / name for label, name in previous.get("files", {}).items()}
    if previous.get("fingerprint") != value or not all(p.exists() for p in files.values()):
        return None
    return files


@dg.asset(
    key=["marts", "reports"],
    group_name="exports",
    # ops.files too: the site lists the source files, which a rename alone changes.
    deps=[*(key for mart in MARTS for key in mart.keys), FILES],
    kinds={"excel", "csv", "html"},
    code_version=CODE,
)
def reports(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Files people open, in the reports folder beside the warehouse: an Excel workbook and a PNG
    chart of progress per programme, the REMM indicators (meetings, trips, CO2 per employee) and a
    static site to share (site/index.html, a page per programme and municipality). Published with
    the warehouse at the end of a good run."""
    folder = reports_root(Path(warehouse.path))
    with warehouse.read() as con:
        value = built_from(con, declared_inputs(context), CODE)
        files = _kept_reports(folder, value)
        if files is not None:
            metadata = _report_metadata(folder, files, folder, True)
            return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(value))
        staged = warehouse.publication.staged("reports")
        written = report_files.write_reports(con, staged)
        written["site"] = report_site.write_site(con, staged / "site")
    seal_reports(staged, value, written)
    files = {label: folder / path.relative_to(staged) for label, path in written.items()}
    metadata = _report_metadata(folder, files, staged, False)
    return dg.MaterializeResult(metadata=metadata, data_version=dg.DataVersion(value))


def _report_metadata(folder: Path, files: dict, written: Path, unchanged: bool) -> dict:
    """The report files (where they are published) and their charts (read from `written`), shown
    the same whether rebuilt or not."""
    return {
        **({"unchanged": True} if unchanged else {}),
        "folder": dg.MetadataValue.path(str(folder)),
        **{label: dg.MetadataValue.path(str(path)) for label, path in files.items()},
        "charts": dg.MetadataValue.md(_png_markdown(files, written)),
    }


@dg.asset(
    key=["marts", "parquet_export"],
    group_name="exports",
    deps=[dg.AssetKey(t.split(".")) for t in EXPORTED],
    kinds={"parquet"},
    code_version=CODE,
)
def parquet_export(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    """Staging and marts as Parquet files partitioned by year and month (hive layout) in a folder
    beside the warehouse, for Spark, Trino or any engine that reads a folder. Swapped in with the
    warehouse at the end of a good run; rewritten only when one of its tables changed."""
    root = parquet_root(Path(warehouse.path))
    with warehouse.read() as con:
        present = [t for t in EXPORTED if table_exists(con, *t.split("."))]
        version = built_from(con, declared_inputs(context), CODE + ",".join(present))
        current = root.resolve().name if root.is_symlink() and root.resolve().exists() else None
        if current == f"{root.name}.{version}":
            return dg.MaterializeResult(
                metadata={"unchanged": True, "path": str(root)},
                data_version=dg.DataVersion(version),
            )
        built = warehouse.publication.staged("parquet") / f"{root.name}.{version}"
        built.mkdir()
        previous = root.resolve() if current else None
        rows = write_version(con, present, built, previous)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(root)),
            "version": built.name,
            "tables": dg.MetadataValue.json(rows),
        },
        data_version=dg.DataVersion(version),
    )
