"""Tests for samlinger.spreadsheets: CSV and XLSX exports that open safely in Norwegian Excel."""

import csv
import datetime as dt
import io
import tracemalloc
import types
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from samlinger.spreadsheets import csv_stream, neutralise, safe_sheet_title, write_xlsx

HEADERS = ["Namn", "E-post", "Påmeldt", "Antall"]
ROWS = [
    ["Ærlige Øystein Åsen", "oystein@example.no", dt.datetime(2025, 3, 4, 9, 5), 2],
    ["Bjørg Ås", None, dt.datetime(2025, 12, 31, 23, 59), 0],
]
INJECTIONS = ["=1+1", "+47 12345678", "-2+3", "@SUM(A1:A2)", "  =HYPERLINK(\"http://evil\")", "\t=1",
              "\r=1", "\n =cmd|' /C calc'!A0"]


def xlsx_bytes(headers, rows, sheet_title="Deltakere") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, headers, rows, sheet_title=sheet_title)
    return buffer.getvalue()


def read_csv(chunks):
    """Join streamed chunks, check the BOM, and parse the rest the way Excel would (semicolons)."""
    text = "".join(chunks)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def load_sheet(data):
    return openpyxl.load_workbook(io.BytesIO(data)).active


# --- neutralise ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@A1", "   =1", "\u00a0=1", "\t1", "\r1", "\n=1",
                                   "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20A1"])
def test_neutralise_prefixes_formula_starts(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["Kari", "", "a=b", "e-post", "x@y.no", "'quoted", "1+1"])
def test_neutralise_leaves_plain_text_alone(value):
    assert neutralise(value) == value


def test_neutralise_passes_non_strings_and_blanks_none():
    moment = dt.datetime(2025, 1, 2, 3, 4)
    assert neutralise(moment) is moment
    assert neutralise(-5) == -5
    assert neutralise(1.5) == 1.5
    assert neutralise(None) == ""


# --- CSV ----------------------------------------------------------------------------------------------

def test_csv_round_trip_with_semicolons_bom_and_norwegian_letters():
    chunks = list(csv_stream(HEADERS, ROWS))
    assert all(isinstance(chunk, str) for chunk in chunks)
    assert read_csv(chunks) == [
        HEADERS,
        ["Ærlige Øystein Åsen", "oystein@example.no", "2025-03-04 09:05", "2"],
        ["Bjørg Ås", "", "2025-12-31 23:59", "0"],
    ]
    # The encoded file is UTF-8 with BOM, which is how Excel knows it is not Windows-1252.
    encoded = "".join(chunks).encode("utf-8")
    assert encoded.startswith(b"\xef\xbb\xbf")
    assert "ø".encode() in encoded


def test_csv_uses_crlf_and_quotes_delimiters_inside_cells():
    text = "".join(csv_stream(["a", "b"], [["x;y", 'si "hei"\npå deg'], ["z", "w"]]))
    assert text.endswith("\r\n")
    assert text.count("\r\n") == 3
    assert read_csv([text])[1:] == [["x;y", 'si "hei"\npå deg'], ["z", "w"]]


def test_csv_neutralises_every_injection_including_headers():
    rows = [[value] for value in INJECTIONS]
    parsed = read_csv(csv_stream(["=HEADER"], rows))
    assert parsed[0] == ["'=HEADER"]
    cells = [row[0] for row in parsed[1:]]
    assert all(cell.startswith("'") for cell in cells)
    # After the `'` the text is the participant's, apart from a `'` after each line break (see below).
    assert [cell[1:].replace("\r'", "\r").replace("\n'", "\n") for cell in cells] == INJECTIONS


CELL_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SNEAKY = ["Kari,=2+5", "Kari;=2+5", "Kari, =2+5", "Kari,  +47 1", "a,-1;@b", "Vegetar\n=1+1", "x,\t=1",
          "x,\uff1d1+1", "\uff0bcmd", "Ola,,=1", "=1,=2;=3", "x;\u00a0=1", 'Kari,"=2+5', 'Kari; " -1']


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_cells_never_start_with_a_formula_whichever_separator_the_program_chooses(delimiter):
    """Opened with `,` instead of `;`, a cell may start inside a participant's text: after any `,`."""
    text = "".join(csv_stream(["Navn", "=H,=I"], [[value, "Alta, -kommune"] for value in SNEAKY]))
    cells = [cell for row in csv.reader(io.StringIO(text[1:], newline=""), delimiter=delimiter) for cell in row]
    # Also where a program ignores quotes and splits a line at every separator and line break.
    raw = [piece for line in text[1:].splitlines() for piece in line.replace(";", ",").split(",")]
    for cell in cells + raw:
        assert not cell.strip(' "\u00a0').startswith(CELL_STARTS), repr(cell)


def test_csv_quotes_every_cell_and_keeps_bom_semicolons_and_crlf():
    text = "".join(csv_stream(["Navn", "Antall"], [["Kari", 2], ["+47 900 00 000", None]]))
    assert text == '\ufeff"Navn";"Antall"\r\n"Kari";"2"\r\n"\'+47 900 00 000";""\r\n'


def test_a_phone_number_stays_readable_behind_its_quote_mark():
    assert read_csv(csv_stream(["Telefon"], [["+47 900 00 000"]]))[1] == ["'+47 900 00 000"]
    assert read_csv(csv_stream(["Navn"], [["Kari,=2+5"]]))[1] == ["Kari,'=2+5"]


def test_csv_formats_dates_aware_datetimes_and_decimals_for_norwegian_excel():
    oslo = dt.datetime(2025, 6, 1, 18, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    parsed = read_csv(csv_stream(["a", "b", "c", "d"], [[oslo, dt.date(2025, 6, 2), 1.5, Decimal("12.50")]]))
    assert parsed[1] == ["2025-06-01 18:30", "2025-06-02", "1,5", "12,50"]


def test_csv_streams_lazily_without_consuming_all_rows():
    consumed = 0

    def rows():
        nonlocal consumed
        for i in range(100_000):
            consumed += 1
            yield [f"rad {i}"]

    stream = csv_stream(["nr"], rows())
    assert isinstance(stream, types.GeneratorType)
    next(stream)  # header
    first_batch = next(stream)
    assert first_batch.startswith('"rad 0"\r\n')
    assert consumed < 1000


def test_csv_with_no_rows_is_just_the_header():
    assert "".join(csv_stream(["a", "b"], [])) == '\ufeff"a";"b"\r\n'


# --- XLSX ---------------------------------------------------------------------------------------------

def test_xlsx_round_trip_keeps_text_numbers_and_datetimes():
    ws = load_sheet(xlsx_bytes(HEADERS, ROWS))
    values = [list(row) for row in ws.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert values[1] == ["Ærlige Øystein Åsen", "oystein@example.no", dt.datetime(2025, 3, 4, 9, 5), 2]
    # None is written as an empty string, which Excel shows as an empty cell.
    assert values[2][0] == "Bjørg Ås" and values[2][1] in (None, "")
    assert ws.cell(row=2, column=3).number_format == "yyyy-mm-dd hh:mm"
    assert ws.cell(row=2, column=3).is_date


def test_xlsx_header_is_bold_and_frozen_and_sheet_is_named():
    ws = load_sheet(xlsx_bytes(HEADERS, ROWS))
    assert ws.title == "Deltakere"
    assert ws.freeze_panes == "A2"
    assert all(cell.font.bold for cell in ws[1])
    assert not ws.cell(row=2, column=1).font.bold


def test_xlsx_neutralises_injections_and_writes_no_formulas():
    rows = [[value] for value in INJECTIONS] + [["\x01=1+1"]]
    ws = load_sheet(xlsx_bytes(["=HEADER"], rows))
    cells = [row[0] for row in ws.iter_rows()]
    assert cells[0].value == "'=HEADER"
    # XML parsers turn a stored carriage return into a line feed, so compare with that in mind.
    assert [cell.value for cell in cells[1:-1]] == ["'" + value.replace("\r", "\n") for value in INJECTIONS]
    # Control characters are dropped before neutralising, so they cannot hide a formula.
    assert cells[-1].value == "'=1+1"
    assert all(cell.data_type == "s" for cell in cells)


def test_xlsx_accepts_aware_datetimes_as_local_wall_time():
    oslo = dt.datetime(2025, 6, 1, 18, 30, tzinfo=ZoneInfo("Europe/Oslo"))
    ws = load_sheet(xlsx_bytes(["t", "d"], [[oslo, dt.date(2025, 6, 2)]]))
    assert ws.cell(row=2, column=1).value == dt.datetime(2025, 6, 1, 18, 30)
    assert ws.cell(row=2, column=2).number_format == "yyyy-mm-dd"


@pytest.mark.parametrize(("title", "expected"), [
    ("Samling: Vår/Haust [2025]?*", "Samling VårHaust 2025"),
    ("x" * 40, "x" * 31),
    ("'sitat'", "sitat"),
    ("[]:*?/\\", "Deltakere"),
    ("", "Deltakere"),
])
def test_sheet_title_is_cleaned(title, expected):
    assert safe_sheet_title(title) == expected
    assert load_sheet(xlsx_bytes(["a"], [], sheet_title=title)).title == safe_sheet_title(title)


def test_xlsx_can_be_written_to_a_file(tmp_path):
    target = tmp_path / "deltakere.xlsx"
    write_xlsx(str(target), ["a"], [["b"]])
    assert openpyxl.load_workbook(target).active["A2"].value == "b"


# --- 10,000 rows --------------------------------------------------------------------------------------

START = dt.datetime(2025, 1, 1, 8, 0)


def many_rows(count):
    start = START
    for i in range(count):
        yield [f"Deltakar {i} æøå", f"d{i}@example.no", start + dt.timedelta(minutes=i), i, "=evil()"]


MANY = 2_000


def test_thousands_of_rows_export_in_both_formats_with_modest_memory():
    # The bench measures 10,000 rows; here tracemalloc (slow) checks that memory stays flat.
    headers = ["Namn", "E-post", "Påmeldt", "Nr", "Merknad"]
    tracemalloc.start()
    try:
        csv_size = sum(len(chunk) for chunk in csv_stream(headers, many_rows(MANY)))
        data = xlsx_bytes(headers, many_rows(MANY))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Generous bound: the point is that memory does not scale with a fully built document.
    assert peak < 50 * 1024 * 1024
    assert csv_size > MANY * 40

    parsed = read_csv(csv_stream(headers, many_rows(MANY)))
    assert len(parsed) == MANY + 1
    assert parsed[-1][0] == f"Deltakar {MANY - 1} æøå" and parsed[-1][4] == "'=evil()"

    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(ws.iter_rows(values_only=True))
    assert len(rows) == MANY + 1
    assert rows[-1][:4] == (f"Deltakar {MANY - 1} æøå", f"d{MANY - 1}@example.no",
                            START + dt.timedelta(minutes=MANY - 1), MANY - 1)
    assert rows[-1][4] == "'=evil()"
