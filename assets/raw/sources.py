"""Open any export as rows of text cells: CSV in any Nordic encoding, Excel, or a vendor's zip."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import itertools
import mmap
import os
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

SNIFF_BYTES = 256 * 1024
DELIMITERS = (";", ",", "\t")
ZIP_MAX_MEMBERS = 200
ZIP_MAX_MEMBER_BYTES = 4 * 1024**3
ZIP_MAX_RATIO = 200
ZIP_MAX_DEPTH = 8  # archives inside archives, levels
ZIP_MAX_TOTAL_BYTES = 8 * 1024**3  # unpacked per dropped archive, every level counted
DEFLATE64 = 9
SCAN_CHUNK = 16 * 1024 * 1024
LINE_PROBE = 4096  # bytes read at the start of a block to find a newline in it (long_line)
EMPTY_LINE = re.compile(rb"\n(?=\r?\n)")
# Hard limits, checked before a file is read: a longer line, a wider or larger sheet, is no
# export's (its line ends were lost, or formatting reaches the sheet's last cell).
MAX_LINE_BYTES = 1_000_000  # RESFRITT_MAX_LINE_BYTES overrides it
MAX_SHEET_COLUMNS = 1_000
MAX_SHEET_CELLS = 50_000_000
SHEET_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([^"]*)"')
SHEET_CELL = re.compile(rb'<(?:\w+:)?c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"')
CELL_NAME = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
# Bytes no text export holds: control characters other than tab, line ends, form feed, the
# end-of-file mark (SUB) and the NULs a damaged copy or a padded export may carry.
CONTROL_BYTES = re.compile(rb"[\x01-\x08\x0e-\x19\x1b-\x1f]")


class UnreadableFile(ValueError):
    """The file cannot be opened as an export at all (corrupt, encrypted, unsafe archive)."""


@dataclass(frozen=True)
class Source:
    """One table-shaped thing inside a file: a text file, one Excel sheet, or one archive member."""

    path: Path  # the file on disk that holds the bytes (an extracted member for archives)
    label: str  # what analysts see: the drop-folder path, with "!member" or "#sheet"
    kind: str  # text | excel
    encoding: str | None = None
    sheet: str | None = None
    nul_bytes: int = 0  # NUL bytes removed from a text source before it was read


@dataclass(frozen=True)
class FileScan:
    """A file's identity and the empty lines that DuckDB's CSV reader skips without a word."""

    sha256: str
    blank_lines: tuple[int, ...]  # physical line numbers (1-based) of empty lines
    has_nul: bool = False  # whether a NUL byte occurs (only looked for with the lines)


def scan_file(path: Path, hashed: bool = True, lines: bool = True) -> FileScan:
    """SHA-256 of the file and its empty lines (either may be left out: "" and ()).

    The file is mapped, not read (no copy), and each slice's pages are handed back once scanned,
    so a 3 GB file does not count 3 GB of resident memory. The digest of each slice runs in a
    thread (hashlib releases the GIL) while this one looks for empty lines in it, so the scan
    costs about as much as the hash alone. Lines are counted in a second read only when there
    are empty lines, which most exports do not have.
    """
    digest = hashlib.sha256()
    found: list[int] = []  # byte offsets of the newlines that end the line before an empty one
    has_nul = False
    if path.stat().st_size:
        with (
            path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm,
        ):
            dropped = 0  # pages before this offset were handed back (they count as RSS)
            for start in range(0, len(mm), SCAN_CHUNK):
                with memoryview(mm)[start : start + SCAN_CHUNK] as chunk:
                    hashing = None
                    if hashed:
                        hashing = threading.Thread(target=digest.update, args=(chunk,))
                        hashing.start()
                    # From two bytes back: an empty line may straddle two slices.
                    low = max(0, start - 2)
                    for offset in _empty_lines(mm, low, start + SCAN_CHUNK) if lines else ():
                        if not found or offset > found[-1]:
                            found.append(offset)
                    if lines and not has_nul:
                        has_nul = mm.find(b"\x00", start, start + SCAN_CHUNK) != -1
                    if hashing:
                        hashing.join()
                done = low // mmap.PAGESIZE * mmap.PAGESIZE
                if done > dropped and hasattr(mmap, "MADV_DONTNEED"):
                    mm.madvise(mmap.MADV_DONTNEED, dropped, done - dropped)
                    dropped = done
    return FileScan(digest.hexdigest() if hashed else "", _line_numbers(path, found), has_nul)


def _empty_lines(mm: mmap.mmap, low: int, high: int) -> list[int]:
    with memoryview(mm)[low:high] as part:
        return [low + m.start() for m in EMPTY_LINE.finditer(part)]


def _line_numbers(path: Path, offsets: list[int]) -> tuple[int, ...]:
    """The (1-based) number of the line after each newline at the given offsets."""
    numbers: list[int] = []
    newlines = 0  # before `position`
    position = 0
    pending = iter(offsets)
    target = next(pending, None)
    with path.open("rb") as handle:
        while target is not None and (chunk := handle.read(SCAN_CHUNK)):
            end = position + len(chunk)
            while target is not None and target < end:
                numbers.append(newlines + chunk.count(b"\n", 0, target - position) + 2)
                target = next(pending, None)
            newlines += chunk.count(b"\n")
            position = end
    return tuple(numbers)


def detect_encoding(head: bytes) -> str:
    """Name the encoding from the first bytes: BOMs, then UTF-16 without BOM, UTF-8, cp1252."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    sample = head[:4096]
    if len(sample) >= 4:
        even_nul = sample[0::2].count(0) / max(1, len(sample[0::2]))
        odd_nul = sample[1::2].count(0) / max(1, len(sample[1::2]))
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as err:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if err.start < len(head) - 4:
            return "cp1252"
    return "utf-8"


def _is_zip(head: bytes) -> bool:
    return head.startswith(b"PK\x03\x04")


def _is_ole(head: bytes) -> bool:
    return head.startswith(b"\xd0\xcf\x11\xe0")


def _excel_members(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


class UnpackBudget:
    """The bytes an archive, with every archive inside it, may still unpack."""

    def __init__(self, total: int = ZIP_MAX_TOTAL_BYTES) -> None:
        self.total = self.left = total

    def take(self, member: str, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise UnreadableFile(
                f"archive member {member!r}: the archive and the archives in it unpack to more "
                f"than {self.total:,} bytes in all; refused as a possible zip bomb. "
                "Unpack it yourself and drop the export files"
            )


def _check_member(member: zipfile.ZipInfo) -> None:
    """Refuse, in words, members the zip module cannot or must not unpack."""
    if member.flag_bits & 0x1:
        raise UnreadableFile(
            f"archive member {member.filename!r} is encrypted (password-protected); unpack it "
            "with its password and drop the export files themselves"
        )
    if member.compress_type == DEFLATE64:
        raise UnreadableFile(
            f"archive member {member.filename!r} is compressed with Deflate64 (Windows Explorer "
            "does this for large files), which cannot be unpacked here; unpack it and drop the "
            "export files, or zip them again with 7-Zip or another tool using ordinary Deflate"
        )


def safe_extract(
    path: Path, target: Path, budget: UnpackBudget | None = None
) -> list[tuple[Path, str]]:
    """Extract an archive's members into `target`, refusing `../` paths, links and zip bombs;
    (extracted file, member's part name) each, in a folder of its own so no two collide."""
    budget = budget or UnpackBudget()
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as err:
        raise UnreadableFile(f"not a readable zip archive ({err})") from err
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > ZIP_MAX_MEMBERS:
            raise UnreadableFile(f"archive holds {len(members)} files, more than {ZIP_MAX_MEMBERS}")
        extracted = []
        parts = _part_names([m.filename for m in members])
        for member, part in zip(members, parts, strict=True):
            name = PurePosixPath(member.filename)
            if name.is_absolute() or ".." in name.parts or "\\" in member.filename:
                raise UnreadableFile(
                    f"archive member {member.filename!r} points outside the archive"
                )
            ratio = member.file_size / max(1, member.compress_size)
            if member.file_size > ZIP_MAX_MEMBER_BYTES or ratio > ZIP_MAX_RATIO:
                raise UnreadableFile(
                    f"archive member {member.filename!r} unpacks to {member.file_size:,} bytes "
                    f"(ratio {ratio:.0f}): refused as a possible zip bomb"
                )
            _check_member(member)
            out = target / str(len(extracted)) / "_".join(name.parts)
            out.parent.mkdir()
            with archive.open(member) as src, out.open("wb") as dst:
                written = 0
                while chunk := src.read(1024 * 1024):
                    written += len(chunk)
                    budget.take(member.filename, len(chunk))
                    if written > member.file_size:
                        raise UnreadableFile(
                            f"archive member {member.filename!r} is larger than declared"
                        )
                    dst.write(chunk)
            extracted.append((out, part))
        return extracted


def _part_names(names: list[str]) -> list[str]:
    """Each member's part: its name with folders joined by "_", or its full name where that
    would collide, numbered where even the full name repeats; never two the same."""
    flat = ["_".join(PurePosixPath(n).parts) for n in names]
    chosen = [f if flat.count(f) == 1 else n for f, n in zip(flat, names, strict=True)]
    parts: list[str] = []
    for name in chosen:
        copy = 1
        part = name
        while part in parts:
            copy += 1
            part = f"{name} (copy {copy})"
        parts.append(part)
    return parts


def open_sources(
    path: Path,
    label: str,
    scratch: Path,
    budget: UnpackBudget | None = None,
    depth: int = 0,
    nul_free: bool = False,
) -> list[Source]:
    """Every table-shaped source in a file, decided by content (never by the file's extension).
    An archive member's label is the archive's and the member's part name (_part_names).
    `nul_free`: the file is known to hold no NUL byte (its scan found none)."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if _is_ole(head) or (_is_zip(head) and _excel_members(path)):
        if _is_zip(head):
            check_sheet_sizes(path)
        return _excel_sources(path, label)
    if _is_zip(head):
        if depth >= ZIP_MAX_DEPTH:
            raise UnreadableFile(
                f"archives nested more than {ZIP_MAX_DEPTH} deep; unpack it and drop the export "
                "files themselves"
            )
        budget = budget or UnpackBudget()
        sources: list[Source] = []
        folder = scratch / f"zip-{abs(hash(label))}"
        folder.mkdir(parents=True, exist_ok=True)
        for member, name in safe_extract(path, folder, budget):
            if member.suffix.lower() == ".json":
                continue
            sources.extend(open_sources(member, f"{label}!{name}", scratch, budget, depth + 1))
        return sources
    encoding = detect_encoding(head)
    if encoding.startswith("utf-16"):
        return [Source(path=path, label=label, kind="text", encoding=encoding)]
    if b"\x00" in head[:4096] and encoding.startswith("utf-8") and _binary(head[:4096]):
        raise UnreadableFile("binary content: not a text, Excel or zip export")
    nuls = 0
    if not nul_free:
        folder = scratch / f"nul-{abs(hash(label))}"
        nuls, path = without_nul(path, folder / path.name)
    limit = max_line_bytes()
    if found := long_line(path, limit):
        number, length = found
        raise UnreadableFile(
            f"line {number:,} is {length:,} bytes long, more than the {limit:,} bytes a row of "
            "an export may have (RESFRITT_MAX_LINE_BYTES): its line ends were probably lost, or "
            "it is no export. Export it again (or split that line) and drop it again; nothing of "
            "this file was loaded"
        )
    # A cell may be as long as a line (Python's CSV reader stops at 128 kB by default).
    csv.field_size_limit(max(csv.field_size_limit(), limit))
    return [Source(path=path, label=label, kind="text", encoding=encoding, nul_bytes=nuls)]


def max_line_bytes() -> int:
    """The longest line a text export may have, in bytes (RESFRITT_MAX_LINE_BYTES, else 1 MB)."""
    return int(os.environ.get("RESFRITT_MAX_LINE_BYTES") or MAX_LINE_BYTES)


def long_line(path: Path, limit: int) -> tuple[int, int] | None:
    """(line number, bytes) of the first line longer than `limit` bytes, or None.

    Such a line covers a whole aligned block of limit // 2 bytes, so only blocks are probed for
    a newline, by reading their first bytes (mapping the file and searching it would keep a
    page range of every block resident: 2 GB for a 9 GB export), and a block without one is
    measured exactly.
    """
    size = path.stat().st_size
    if size <= limit:
        return None
    step = max(1, limit // 2)
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        for start in range(0, size, step):
            if b"\n" in os.pread(handle.fileno(), min(step, LINE_PROBE), start):
                continue
            if mm.find(b"\n", start, start + step) != -1:
                continue
            begin = mm.rfind(b"\n", 0, start) + 1
            end = mm.find(b"\n", start)
            end = size if end == -1 else end
            if end - begin > limit:
                before = sum(
                    mm[low : min(low + SCAN_CHUNK, begin)].count(b"\n")
                    for low in range(0, begin, SCAN_CHUNK)
                )
                return before + 1, end - begin
    return None


def _binary(sample: bytes) -> bool:
    """Whether a sample holds what no text export does, or is mostly NUL bytes."""
    return bool(CONTROL_BYTES.search(sample)) or sample.count(0) > len(sample) // 2


def without_nul(path: Path, target: Path) -> tuple[int, Path]:
    """(NUL bytes removed, the file to read): the file itself when it holds none, else a copy
    at `target` without them (its lines keep their numbers)."""
    with path.open("rb") as handle:
        if not any(b"\x00" in chunk for chunk in iter(lambda: handle.read(SCAN_CHUNK), b"")):
            return 0, path
    removed = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as src, target.open("wb") as dst:
        while chunk := src.read(SCAN_CHUNK):
            removed += chunk.count(b"\x00")
            dst.write(chunk.replace(b"\x00", b""))
    return removed, target


def _sheet_files(archive: zipfile.ZipFile) -> dict[str, str]:
    """{sheet name: its XML member} of an .xlsx workbook."""
    relations = {}
    with archive.open("xl/_rels/workbook.xml.rels") as handle:
        for element in ElementTree.parse(handle).iter():
            if element.tag.endswith("Relationship"):
                target = element.get("Target", "")
                relations[element.get("Id")] = (
                    target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                )
    sheets = {}
    with archive.open("xl/workbook.xml") as handle:
        for element in ElementTree.parse(handle).iter():
            if element.tag.endswith("}sheet") or element.tag == "sheet":
                rid = next((v for k, v in element.attrib.items() if k.endswith("}id")), None)
                if rid in relations:
                    sheets[element.get("name", "?")] = relations[rid]
    return sheets


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def sheet_extent(handle: io.BufferedIOBase) -> tuple[int, int]:
    """(columns, rows) a sheet's XML reaches: the dimension it claims, or its farthest cell."""
    columns = rows = 0
    tail = b""
    first = True
    while chunk := handle.read(1024 * 1024):
        text = tail + chunk
        found = [(c.decode(), r.decode()) for c, r in SHEET_CELL.findall(text)]
        if first and (claim := SHEET_DIMENSION.search(text)):
            found += CELL_NAME.findall(claim.group(1).decode("ascii", "replace"))
        first = False
        for letters, number in found:
            columns = max(columns, _column_number(letters))
            rows = max(rows, int(number))
        tail = text[-256:]
    return columns, rows


def check_sheet_sizes(path: Path) -> None:
    """Refuse, before Excel is read, a sheet wider or larger than any export (it would take all
    memory: the reader holds every cell up to the farthest one)."""
    try:
        with zipfile.ZipFile(path) as archive:
            sheets = _sheet_files(archive)
            extents = {}
            for name, member in sheets.items():
                with archive.open(member) as handle:
                    extents[name] = sheet_extent(handle)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, NotImplementedError):
        return  # the Excel reader says what is wrong
    for name, (columns, rows) in extents.items():
        if columns > MAX_SHEET_COLUMNS or columns * rows > MAX_SHEET_CELLS:
            raise UnreadableFile(
                f"sheet {name!r} reaches {columns:,} columns and {rows:,} rows, more than any "
                f"export ({MAX_SHEET_COLUMNS:,} columns, {MAX_SHEET_CELLS:,} cells): formatting "
                "or a stray value far outside the table. Delete the columns and rows after the "
                "table (or save the sheet as CSV UTF-8) and drop it again; nothing of this file "
                "was loaded"
            )


def _excel_sources(path: Path, label: str) -> list[Source]:
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        with CalamineWorkbook.from_path(str(path)) as book:
            names = list(book.sheet_names)
    except (CalamineError, ValueError, OSError) as err:
        raise UnreadableFile(f"Excel file cannot be opened ({err})") from err
    return [Source(path=path, label=f"{label}#{name}", kind="excel", sheet=name) for name in names]


def excel_cell(value: object) -> str:
    """Excel cell as text the contracts parse: ISO dates, integers without '.0', plain numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(int(value.total_seconds()))
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def excel_rows(source: Source, limit: int | None = None) -> Iterator[tuple[int, list[str]]]:
    """(sheet row number, cells) for every non-empty row of one sheet."""
    from python_calamine import CalamineWorkbook

    with CalamineWorkbook.from_path(str(source.path)) as book:
        sheet = book.get_sheet_by_name(source.sheet)
        for index, row in enumerate(sheet.to_python(skip_empty_area=False, nrows=limit), start=1):
            yield index, [excel_cell(v) for v in row]


def text_lines(source: Source, limit: int | None = None) -> Iterator[tuple[int, str]]:
    """(physical line number, line) of a text source, decoded in a stream."""
    with source.path.open("r", encoding=source.encoding, errors="replace", newline="") as handle:
        for index, line in enumerate(handle, start=1):
            if limit is not None and index > limit:
                return
            yield index, line.rstrip("\r\n")


def split_line(line: str, delimiter: str) -> list[str]:
    """Split one physical line the way a CSV reader would (quotes respected)."""
    return next(csv.reader(io.StringIO(line), delimiter=delimiter), [])


def text_rows(
    source: Source, delimiter: str, start: int, limit: int | None = None
) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, cells) from `start` on; quoted newlines kept."""
    with source.path.open("r", encoding=source.encoding, errors="replace", newline="") as handle:
        numbered = _numbered(handle)
        for _ in range(start - 1):
            if next(numbered, None) is None:
                return
        counter = {"line": start - 1}

        def lines() -> Iterator[str]:
            for number, line in numbered:
                counter["line"] = number
                yield line

        reader = csv.reader(lines(), delimiter=delimiter)
        previous_end = start - 1
        for count, cells in enumerate(reader):
            if limit is not None and count >= limit:
                return
            yield previous_end + 1, cells
            previous_end = counter["line"]


def _numbered(handle: io.TextIOBase) -> Iterator[tuple[int, str]]:
    yield from enumerate(handle, start=1)


QUOTED_LINES_MAX = 50  # a quoted cell may span this many lines before its quote counts as stray


def data_lines(path: Path, header_line: int, blank_lines: tuple[int, ...]) -> int:
    """The physical lines after the header that are not empty, counted without a CSV parser."""
    newlines, last = 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            newlines += chunk.count(b"\n")
            last = chunk[-1:]
    lines = newlines + (1 if last not in (b"", b"\n") else 0)
    return lines - header_line - sum(1 for n in blank_lines if n > header_line)


def safe_text_rows(
    source: Source, delimiter: str, start: int, width: int, broken: list[int]
) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) from `start` on, one record per line unless a quoted cell spans
    lines and the record closes with the header's `width` cells within QUOTED_LINES_MAX lines.

    A line whose quote never closes that way is stray: its number goes to `broken`, it yields
    nothing, and reading goes on with the next line (so one quote cannot swallow the file).
    """
    with source.path.open("r", encoding=source.encoding, errors="replace", newline="") as handle:
        pending: list[tuple[int, str]] = []
        numbered = _numbered(handle)
        while True:
            pending.extend(itertools.islice(numbered, QUOTED_LINES_MAX - len(pending)))
            if not pending:
                return
            number, line = pending[0]
            if number < start:
                pending.pop(0)
                continue
            taken = _closing_record(pending, delimiter, width)
            if taken is None:
                broken.append(number)
                pending.pop(0)
                continue
            text = "".join(part for _, part in pending[:taken])
            del pending[:taken]
            yield number, _cells(text, delimiter)


def _closing_record(pending: list[tuple[int, str]], delimiter: str, width: int) -> int | None:
    """How many of the pending lines make the first one's record, or None if its quote is stray.

    As in RFC 4180, a quote opens only at the start of a cell, "" inside one is a quote, and the
    closing quote is followed by the delimiter or the line's end; anything else is stray.
    """
    quoted = False
    for taken, (_, line) in enumerate(pending, start=1):
        quoted = _scan_quotes(line.rstrip("\r\n"), delimiter, quoted)
        if quoted is None:
            return None
        if quoted:
            continue
        if taken == 1:
            return 1
        text = "".join(part for _, part in pending[:taken])
        return taken if len(_cells(text, delimiter)) >= width else None
    return None


def _scan_quotes(line: str, delimiter: str, quoted: bool) -> bool | None:
    """Whether a quoted cell is still open at the end of the line; None if a quote is stray."""
    at_start = not quoted
    i = 0
    while i < len(line):
        char = line[i]
        if quoted:
            if char == '"':
                following = line[i + 1 : i + 2]
                if following == '"':
                    i += 1
                elif following in ("", delimiter):
                    quoted = False
                else:
                    return None
        elif char == '"' and at_start:
            quoted = True
        at_start = not quoted and char == delimiter
        i += 1
    return quoted


def _cells(text: str, delimiter: str) -> list[str]:
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), [])
