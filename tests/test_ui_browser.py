"""The Dagster UI in a real browser: the three layers show, a run launched there fills the marts.

Debian's Chromium, driven by the `playwright` package (never `playwright install`: its own
browser download cannot work here). The webserver gets a temporary DAGSTER_HOME, drop folder and
warehouse, binds to 127.0.0.1 on a free port, and is always stopped.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser_helpers import CHROMIUM, CHROMIUM_FLAGS, browser_missing
from pipeline_helpers import ROOT, SAMPLE_RAW, scalar

pytestmark = pytest.mark.integration

DOCS_SCREENSHOT = ROOT / "docs" / "ui-screenshot.png"
START_TIMEOUT_S = 180
RUN_TIMEOUT_S = 300


@pytest.fixture(scope="session")
def chromium() -> Path:
    reason = browser_missing()
    if reason:
        pytest.skip(reason)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the webserver and everything it started (its own process group), gently first."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


@pytest.fixture
def webserver(tmp_path) -> dict:
    """dagster-webserver on 127.0.0.1 over a copy of the samples, with a private DAGSTER_HOME.

    Runs launch straight away (DefaultRunCoordinator) and no daemon runs, so the schedule and the
    sensor cannot start runs of their own: the only run is the one the test launches. Its events
    go to the project's event log (pipeline/event_log.py).
    """
    home = tmp_path / "dagster_home"
    (home / ".nux").mkdir(parents=True)
    (home / ".nux" / "nux.yaml").write_text("seen: 1\n", encoding="utf-8")  # no welcome dialog
    (home / "dagster.yaml").write_text(
        "telemetry:\n"
        "  enabled: false\n"
        "run_coordinator:\n"
        "  module: dagster._core.run_coordinator\n"
        "  class: DefaultRunCoordinator\n"
        "event_log_storage:\n"
        "  module: pipeline.event_log\n"
        "  class: SqliteEventLog\n",
        encoding="utf-8",
    )
    raw = tmp_path / "raw"
    shutil.copytree(SAMPLE_RAW, raw)
    warehouse = tmp_path / "warehouse" / "resfritt.duckdb"
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_DISABLE_TELEMETRY": "1",
        "RESFRITT_RAW_DIR": str(raw),
        "RESFRITT_WAREHOUSE": str(warehouse),
        "RESFRITT_REFERENCE_DIR": str(ROOT / "data" / "reference"),
    }
    log = (tmp_path / "webserver.log").open("w")
    command = [str(Path(sys.executable).parent / "dagster-webserver")]
    command += ["-w", str(ROOT / "workspace.yaml"), "-h", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _answers(f"{url}/server_info"):
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (tmp_path / "webserver.log").read_text(encoding="utf-8")[-3000:]
                pytest.fail(f"dagster-webserver did not answer on {url}:\n{tail}")
            time.sleep(1)
        yield {"url": url, "warehouse": warehouse, "log": tmp_path / "webserver.log"}
    finally:
        _stop(process)
        log.close()


@pytest.fixture
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_FLAGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            yield page
        finally:
            browser.close()


def _dismiss_welcome(page) -> None:
    """Dagster's first-visit dialog, in case a new version ignores the seen-marker we wrote."""
    skip = page.get_by_role("button", name="Skip")
    if skip.count() and skip.first.is_visible():
        skip.first.click()


def _run_status(page, deadline: float) -> str:
    """The status the run page shows once the run has ended (bounded by `deadline`)."""
    while time.monotonic() < deadline:
        for status in ("Success", "Failure", "Canceled"):
            if page.get_by_text(status, exact=True).count():
                return status
        page.wait_for_timeout(2000)
    return "still running"


def test_materialize_all_from_the_asset_graph_fills_the_marts(webserver, page, tmp_path):
    url, warehouse = webserver["url"], webserver["warehouse"]
    page.goto(f"{url}/asset-groups")
    materialize = page.get_by_role("button", name="Materialize all")
    materialize.wait_for()
    _dismiss_welcome(page)

    # The asset graph reads raw -> staging -> marts: one node and one tree entry per layer.
    for group in ("raw", "staging", "marts"):
        assert page.get_by_role("button", name=group).count() >= 1, group
        assert page.get_by_text(group, exact=True).first.is_visible(), group

    materialize.click()
    launched = page.locator('a[href^="/runs/"]').first  # the "Launched run ..." toast's link
    launched.wait_for(timeout=120_000)
    run_path = launched.get_attribute("href")
    launched.click()
    page.wait_for_url(f"**{run_path}")
    status = _run_status(page, time.monotonic() + RUN_TIMEOUT_S)
    page.screenshot(path=str(tmp_path / "run.png"))
    log = webserver["log"].read_text(encoding="utf-8")[-3000:]
    assert status == "Success", f"run {run_path} ended as {status}; webserver log:\n{log}"

    total = scalar(
        warehouse,
        "select sum(meetings) from marts.virtual_meetings where programme = 'vi-mots-resfritt' "
        "and year = 2014 and platform = 'video_room'",
    )
    assert total == 1174

    # The marts group page: what an analyst sees after the run.
    # The lineage graph draws only the nodes in view; the list shows every mart of the group.
    page.goto(f"{url}/locations/pipeline.definitions/asset-groups/marts")
    page.get_by_role("tab", name="List").or_(page.get_by_text("List", exact=True)).first.click()
    for mart in ("virtual_meetings", "substitution_rates", "municipality_progress"):
        page.get_by_text(re.compile(rf"^marts / {mart}$")).first.wait_for()
    loading = page.get_by_text(re.compile(r"^Loading"))
    deadline = time.monotonic() + 60
    while loading.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
    shot = tmp_path / "ui-screenshot.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000
    if not DOCS_SCREENSHOT.exists():
        DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
        shutil.copyfile(shot, DOCS_SCREENSHOT)
