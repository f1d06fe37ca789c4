"""Spreadsheets (CSV and XLSX) for the organiser workspace.

Both formats are built row by row from an iterable, so a large participant list is never held in memory
as a whole document. Every cell goes through `neutralise` to stop formula injection: a participant who
types `=HYPERLINK(...)` as their name must not get a live formula in the organiser's spreadsheet. A CSV
file may be opened with either `;` or `,` as separator, so there every place a cell could start is
neutralised, not only the start of the cell (`neutralise_csv`).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

from flask import Response, stream_with_context
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

__all__ = [
    "CSV_CONTENT_TYPE",
    "XLSX_CONTENT_TYPE",
    "csv_stream",
    "neutralise",
    "neutralise_csv",
    "safe_sheet_title",
    "download",
    "download_workbook",
    "write_workbook",
    "write_xlsx",
]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Characters that make Excel, LibreOffice or Google Sheets start a formula (also their full-width forms,
# which some programs fold), plus tab and CR which the OWASP guidance lists because some spreadsheet
# programs strip them before evaluating the cell.
_FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CONTROL_STARTS = ("\t", "\r")
# Inside a CSV cell: a separator (`;` or `,`, whichever the program chose) or a line break, then optional
# whitespace or quotes and a formula character. A program that splits there would start a cell with a formula.
_FORMULA_CHAR = r"[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]"
_INNER_FORMULA = re.compile(r'[,;\r\n][\s"]*' + _FORMULA_CHAR)
_INNER_START = re.compile(r'([,;\r\n])(?=[\s"]*' + _FORMULA_CHAR + ")")

_CSV_DATETIME_FORMAT = "%Y-%m-%d %H:%M"
_CSV_DATE_FORMAT = "%Y-%m-%d"
_XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_XLSX_DATE_FORMAT = "yyyy-mm-dd"

# Rows joined into one CSV chunk: big enough to avoid a WSGI write per row, small enough to stay tiny.
_CSV_BATCH_ROWS = 200

# Excel's limits and rules for sheet names.
_SHEET_TITLE_MAX = 31
_SHEET_TITLE_INVALID = re.compile(r"[\[\]:*?/\\]")
# Control characters that the XLSX XML cannot carry; openpyxl raises on them, so they are dropped.
_XLSX_ILLEGAL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Longest text Excel accepts in a cell; longer text makes Excel offer to "repair" the file.
_XLSX_MAX_TEXT = 32767


def neutralise(value: Any) -> Any:
    """Return `value` made safe to put in a spreadsheet cell.

    Strings that a spreadsheet would read as a formula (first character, after any leading whitespace,
    is `=`, `+`, `-` or `@`, or one of their full-width forms, or the string starts with a tab or carriage
    return) get a leading `'`.
    Other strings and non-string values are returned unchanged, except None which becomes "".
    Note that this also quotes harmless text such as "-5" or "+47 ..."; pass numbers as numbers.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        return value
    if value.startswith(_CONTROL_STARTS) or value.lstrip().startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_csv(value: str) -> str:
    """Return the text of a CSV cell with a `'` wherever a cell could start with a formula.

    Besides the start of the cell (`neutralise`), that is right after every `,`, `;` or line break, so
    "Kari,=2+5" is safe whether the file is opened with `;` or `,` as separator: "Kari,'=2+5". The `'`
    goes before any spaces, which some programs trim. Legitimate text gets the `'` too: a phone number
    "+47 900 00 000" is exported as "'+47 900 00 000", still readable.
    """
    value = neutralise(value)
    if _INNER_FORMULA.search(value):
        value = _INNER_START.sub("\\1'", value)
    return value


def _csv_text(value: Any) -> str:
    """Return the CSV text for one cell, formatted the way Norwegian Excel reads it back (not neutralised)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        # The caller passes Oslo-local times; any tzinfo is only dropped, never converted.
        return value.strftime(_CSV_DATETIME_FORMAT)
    if isinstance(value, dt.date):
        return value.strftime(_CSV_DATE_FORMAT)
    if isinstance(value, (float, Decimal)):
        # Norwegian Excel uses a decimal comma; "1.5" would be read as a date (1 May).
        return str(value).replace(".", ",")
    return str(value)


def _csv_row(row: Sequence[Any]) -> list[str]:
    """Return the texts of one CSV row, the strings among them neutralised."""
    texts = [_csv_text(cell) for cell in row]
    # One search over the whole row finds every place a cell could start with a formula (each text is
    # put after a line break); most rows have none, and then no cell needs to be looked at on its own.
    if _INNER_FORMULA.search("\n".join(("", *texts))):
        texts = [neutralise_csv(text) if isinstance(cell, str) else text
                 for cell, text in zip(row, texts, strict=True)]
    return texts


class _Echo:
    """A file-like object whose `write` hands the text back, so csv.writer can format one row at a time."""

    def write(self, text: str) -> str:
        return text


def csv_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield the CSV file for `headers` and `rows` as text chunks, ready for a streamed response.

    The output is UTF-8 text starting with a BOM, semicolon-separated, with CRLF line ends, which is what
    Excel with Norwegian regional settings opens correctly by double-click. Encode each chunk as UTF-8.
    Every cell is quoted, so a `,` inside a cell never splits it, and neutralised (`neutralise_csv`);
    datetimes are written as "YYYY-MM-DD HH:MM" in the time the caller passed.
    Rows are consumed lazily and yielded in small batches, so memory use does not grow with the row count.
    """
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    # The BOM is what makes Excel read the file as UTF-8 instead of the ANSI code page (æøå).
    yield "\ufeff" + writer.writerow(_csv_row(headers))
    batch: list[str] = []
    for row in rows:
        batch.append(writer.writerow(_csv_row(row)))
        if len(batch) >= _CSV_BATCH_ROWS:
            yield "".join(batch)
            batch.clear()
    if batch:
        yield "".join(batch)


def safe_sheet_title(title: str, default: str = "Deltakere") -> str:
    """Return `title` as a valid Excel sheet name: no `[]:*?/\\`, at most 31 characters, never empty."""
    cleaned = _SHEET_TITLE_INVALID.sub("", _XLSX_ILLEGAL_CHARS.sub("", title or ""))
    # Excel also refuses names that begin or end with an apostrophe.
    cleaned = cleaned.strip().strip("'")[:_SHEET_TITLE_MAX].strip().strip("'")
    return cleaned or default


def _xlsx_text(text: str) -> str:
    """Return `text` neutralised and reduced to what an XLSX cell can hold."""
    # Drop the illegal characters first: "\x01=1+1" must not turn into a bare formula after cleaning.
    return neutralise(_XLSX_ILLEGAL_CHARS.sub("", text))[:_XLSX_MAX_TEXT]


def _xlsx_cell(ws: Any, value: Any) -> Any:
    """Return the value or write-only cell that represents `value` in the worksheet."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _xlsx_text(value)
    if isinstance(value, dt.datetime):
        # Excel has no time zones and openpyxl refuses aware datetimes; the caller passes local time.
        cell = WriteOnlyCell(ws, value=value.replace(tzinfo=None))
        cell.number_format = _XLSX_DATETIME_FORMAT
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = _XLSX_DATE_FORMAT
        return cell
    if isinstance(value, (bool, int, float, Decimal)):
        return value
    # Anything else (UUID, enum, ...) is written as its text, neutralised like any other string.
    return _xlsx_text(str(value))


def write_xlsx(target: str | BinaryIO, headers: Sequence[str], rows: Iterable[Sequence[Any]],
               sheet_title: str = "Deltakere") -> None:
    """Write an XLSX workbook with one sheet to `target` (a path or a writable binary file object).

    The header row is bold and frozen; strings are neutralised; dates and datetimes stay real date cells
    shown as "yyyy-mm-dd hh:mm". openpyxl's write-only mode streams rows to a temporary file, so memory
    stays flat for large exports; to serve a file without holding it in memory, pass a
    tempfile.SpooledTemporaryFile and rewind it afterwards.
    """
    write_workbook(target, [(sheet_title, headers, rows)])


def write_workbook(target: str | BinaryIO, sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
                   ) -> None:
    """Write an XLSX workbook with one sheet per (title, headers, rows), each written as `write_xlsx` does."""
    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    for sheet_title, headers, rows in sheets:
        ws = wb.create_sheet(title=safe_sheet_title(sheet_title))
        ws.freeze_panes = "A2"
        header_cells = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=_xlsx_text(str(header)))
            cell.font = bold
            header_cells.append(cell)
        ws.append(header_cells)
        for row in rows:
            ws.append([_xlsx_cell(ws, value) for value in row])
    wb.save(target)


def _read_and_close(spool) -> Iterator[bytes]:
    try:
        while chunk := spool.read(64 * 1024):
            yield chunk
    finally:
        spool.close()


def download(file_format: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], name: str, *,
             sheet_title: str) -> Response:
    """*rows* as an attachment `<name>.csv` or `<name>.xlsx`, never kept by a cache.

    CSV is streamed while the rows are read. XLSX is written to a temporary file (on disk past 1 MB) and
    sent from it in chunks, so neither format holds a large list in memory.
    """
    if file_format == "csv":
        chunks = (chunk.encode("utf-8") for chunk in csv_stream(headers, rows))
        response = Response(stream_with_context(chunks), content_type=CSV_CONTENT_TYPE)
    else:
        response = _xlsx_response([(sheet_title, headers, rows)])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{file_format}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _xlsx_response(sheets) -> Response:
    spool = tempfile.SpooledTemporaryFile(max_size=2**20)
    try:
        write_workbook(spool, sheets)
    except BaseException:
        spool.close()
        raise
    response = Response(_read_and_close(spool), content_type=XLSX_CONTENT_TYPE)
    response.content_length = spool.tell()
    spool.seek(0)
    response.call_on_close(spool.close)  # also when the client leaves before the end
    return response


def download_workbook(sheets, name: str) -> Response:
    """An XLSX workbook of several sheets, (title, headers, rows) each, as the attachment `<name>.xlsx`."""
    response = _xlsx_response(sheets)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    response.headers["Cache-Control"] = "no-store"
    return response
