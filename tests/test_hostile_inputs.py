"""Hostile and careless inputs: each is the file's problem, recorded, never the run's."""

from __future__ import annotations

from pathlib import Path

from ingest_helpers import accounted, files, ingest, quarantine, rows, write_text

CLAIMS_HEADER = (
    "Anställningsnr;Förvaltning;Resdatum;Från;Till;Ändamål;Antal km;Färdmedel;Belopp (kr)"
)


def claims_csv(path: Path, rows_: int, purpose_at: dict[int, str] | None = None) -> Path:
    """A UTF-8 claims export for Falun: title line, empty line, header, `rows_` trips."""
    lines = ["Kommun: Falun (2080)", "", CLAIMS_HEADER]
    for i in range(rows_):
        purpose = (purpose_at or {}).get(i, "Möte")
        day = i % 28 + 1
        lines.append(
            f"{10000 + i};Miljöförvaltningen;2011-01-{day:02d};Falun;Leksand;{purpose};"
            "109,0;Egen bil;201,65"
        )
    return write_text(path, "\n".join(lines) + "\n")


def test_stray_quote_quarantines_its_line_and_loads_the_rest(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 1000, {5: '"Möte'})
    con, _ = ingest(tmp_path / "raw")
    [record] = accounted(con)
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (1000, 999, 1)
    assert record["status"] == "loaded_with_warnings"
    assert "never closes (line 9)" in record["message"]
    assert "read line by line, 1 line(s) quarantined" in record["message"]
    assert quarantine(con) == [
        (
            9,
            "(row)",
            "(row)",
            'this line opens a quote (") that never closes; fix or remove the quote and drop '
            "the file again",
        )
    ]
    assert rows(con, "select count(*), min(source_line), max(source_line) from raw.travel_claims")
    assert rows(con, "select count(*) from raw.travel_claims where source_line = 9") == [(0,)]
    assert rows(con, "select count(*), max(source_line) from raw.travel_claims") == [(999, 1003)]


def test_quoted_cells_spanning_lines_are_not_stray(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 20, {3: '"Möte\nmed\nRegion"'})
    con, _ = ingest(tmp_path / "raw")
    record = files(con)["claims.csv"]
    assert (record["rows_in"], record["rows_loaded"], record["status"]) == (20, 20, "loaded")
    assert rows(con, "select count(*) from ops.quarantine") == [(0,)]


def test_two_stray_quotes_each_lose_one_line(tmp_path):
    claims_csv(tmp_path / "raw" / "claims.csv", 50, {0: '"Möte', 30: '"Möte'})
    con, _ = ingest(tmp_path / "raw")
    record = files(con)["claims.csv"]
    assert (record["rows_in"], record["rows_loaded"], record["rows_quarantined"]) == (50, 48, 2)
    assert [r[0] for r in quarantine(con)] == [4, 34]
