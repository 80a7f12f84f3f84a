"""notebooks/progress.ipynb runs headless against the sample warehouse and shows the real figures.

The kernel is this interpreter (the project's venv), declared in a temporary kernelspec, so the
test never picks up another Python that happens to be registered as "python3".
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest
from pipeline_helpers import ROOT, SAMPLE_RAW, scalar

nbclient = pytest.importorskip("nbclient")
nbformat = pytest.importorskip("nbformat")
pytest.importorskip("ipykernel")

pytestmark = pytest.mark.integration

NOTEBOOK = ROOT / "notebooks" / "progress.ipynb"
KERNEL = "resfritt-venv"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def executed(sample_warehouse, tmp_path_factory) -> dict[str, list]:
    """The notebook run top to bottom; the outputs of each tagged cell, by tag."""
    jupyter = tmp_path_factory.mktemp("jupyter")
    spec = jupyter / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "resfritt (venv)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    saved = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(jupyter)
    try:
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        client = nbclient.NotebookClient(
            notebook,
            kernel_name=KERNEL,
            timeout=300,
            resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        )
        env = {**os.environ, "RESFRITT_WAREHOUSE": str(sample_warehouse), "MPLBACKEND": "Agg"}
        client.execute(env=env)
    finally:
        if saved is None:
            os.environ.pop("JUPYTER_PATH", None)
        else:
            os.environ["JUPYTER_PATH"] = saved
    outputs: dict[str, list] = {}
    for cell in notebook.cells:
        for tag in cell.metadata.get("tags", []):
            outputs[tag] = cell.get("outputs", [])
    return outputs


def _text(outputs: list) -> str:
    """Everything a cell printed or displayed, as plain text."""
    parts = []
    for output in outputs:
        if output.output_type == "stream":
            parts.append(output.text)
        elif "data" in output:
            parts.append(output.data.get("text/plain", ""))
    return "\n".join(parts)


def _rows(text: str) -> dict[str, list[str]]:
    """A printed DataFrame as {first cell of each line: the other cells}."""
    return {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}


def test_the_stored_notebook_has_no_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


def test_it_opens_the_warehouse_named_by_resfritt_warehouse_read_only(executed, sample_warehouse):
    assert f"Reading {sample_warehouse} (read-only)" in _text(executed["connect"])


def test_dalarna_held_1174_video_room_meetings_in_2014(executed):
    per_year = _rows(_text(executed["meetings-per-year"]))
    header = _text(executed["meetings-per-year"]).splitlines()[0].split()[1:]
    assert per_year["2014"][header.index("video_room")] == "1174"
    assert per_year["2016"][header.index("web_meeting")] == "148"


def test_both_charts_are_drawn_inline(executed):
    for tag in ("chart", "progress-chart"):
        images = [o for o in executed[tag] if "image/png" in o.get("data", {})]
        assert len(images) == 1, tag


def test_the_progress_table_shows_falun_meeting_its_2015_target(executed):
    falun = next(
        line.split()
        for line in _text(executed["progress-table"]).splitlines()
        if " 2080 " in f" {line} "
    )
    # code, name, target %, meetings, trips, baseline trips, measured %, estimated %, .., status
    assert falun[1:8] == ["2080", "Falun", "20.0", "266", "780", "1000", "22.0"]
    assert falun[-1] == "met"


def test_the_rates_table_shows_where_each_substitution_rate_comes_from(executed):
    rows = _rows(_text(executed["rates"]))
    # index, code, municipality, source, rate, low, high, then the calibration years
    assert rows["0"][:3] == ["2021", "Vansbro", "programme"]
    falun = next(r for r in rows.values() if r[:2] == ["2080", "Falun"])
    assert falun[2:6] == ["calibrated", "0.948", "0.376", "1.643"]


def test_the_figure_is_recomputed_from_the_staged_rows(executed):
    text = _text(executed["provenance-check"])
    assert "virtual meetings: 266 staged = 266 in the mart" in text
    assert "measured reduction: 100 x (1 - 780 / 1000) = 22.0 % = 22.0 % in the mart" in text


def test_the_staged_rows_come_from_the_telia_export_and_falun_travel_claims(executed):
    meetings, trips = (o.data["text/plain"] for o in executed["provenance-staged"] if "data" in o)
    assert _rows(meetings)["0"] == ["telia_videomote_2015-2024.csv", "video_room", "36", "266"]
    trips_rows = _rows(trips)
    assert trips_rows["0"] == ["resor_falun_2011-2024.csv", "2011", "1000"]
    assert trips_rows["1"] == ["resor_falun_2011-2024.csv", "2015", "780"]


def test_the_provenance_lists_the_files_with_their_real_sha256(executed, sample_warehouse):
    text = _text(executed["provenance-files"])
    for name in ("telia_videomote_2015-2024.csv", "resor_falun_2011-2024.csv"):
        digest = _sha256(SAMPLE_RAW / name)
        assert digest in text, name
        recorded = scalar(sample_warehouse, "select sha256 from ops.files where path = ?", [name])
        assert recorded == digest
    assert "telia_videomote_2014.xlsx" not in text  # only the files behind this row


def test_the_factors_are_swedens_2015_values_before_the_defaults(executed):
    lines = _text(executed["provenance-factors"]).splitlines()

    def factor(name: str) -> list[str]:
        return next(line.split()[1:] for line in lines if f" {name} " in f"{line} ")

    # factor, value, unit (two words), country, version
    assert factor("co2_g_per_km")[:6] == ["co2_g_per_km", "176.000", "g", "CO2/km", "SE", "2026-2"]
    assert factor("substitution_rate_central")[:4] == [
        "substitution_rate_central",
        "0.250",
        "share",
        "*",
    ]
