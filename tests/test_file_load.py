"""The unit of work of one file: it owns the transaction, the mid-file commit and the progress."""

from __future__ import annotations

import pytest
from fixture_files import write_text
from ingest_helpers import KEY, connect, rows

from assets.raw.file_load import FileLoad
from assets.raw.ingest import ingest_folder
from schemas import load_contracts

pytestmark = pytest.mark.unit

CLAIMS = (
    "Kommun: Falun (2080)\n\n"
    "Anställningsnr;Förvaltning;Resdatum;Från;Till;Ändamål;Antal km;Färdmedel;Belopp (kr)\n"
    + "".join(
        f"{10000 + i};Miljöförvaltningen;2011-01-0{i + 1};Falun;Leksand;Möte;109,0;Egen bil;1\n"
        for i in range(3)
    )
)


def test_progress_is_reported_after_each_batch_with_the_file_size(tmp_path):
    raw = tmp_path / "raw"
    export = write_text(raw / "claims.csv", CLAIMS)
    calls = []
    ingest_folder(connect(), raw, KEY, on_progress=lambda *args: calls.append(args))
    size = export.stat().st_size
    assert calls == [("claims.csv", 3, size, size)]


def test_restart_undoes_the_rows_committed_before_numbering(tmp_path):
    raw = tmp_path / "raw"
    export = write_text(raw / "claims.csv", CLAIMS)
    con = connect()
    ingest_folder(con, raw, KEY)
    assert rows(con, "select count(*) from raw.travel_claims") == [(3,)]
    with FileLoad(con, "claims.csv", load_contracts()) as unit:
        unit.commit_landed_rows()
        unit.restart()
    assert rows(con, "select count(*) from raw.travel_claims") == [(0,)]
    assert rows(con, "select count(*) from ops.files") == [(0,)]
    assert export.exists()
