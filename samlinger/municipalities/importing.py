"""Loading the register from CSV: every row is checked before anything is written, then the file is
upserted by number in one transaction.

A file has a header row. `number`, `name` and `language_decision` are required; `sami_name`,
`sami_area`, `active` and `county` are optional, and a column the file does not have leaves what the
register holds (Rogaland's file has no Sami columns). The language words are Norwegian or the stored
ones (bokmål, nynorsk, nøytral, unknown); `unknown` never overwrites a decision already known, so loading
a file again does not undo what an admin has set. Municipalities missing from the file are left as
they are. The register is the office's own; a municipality number is national (a municipality is in one
office's register), so a file with a number of another office's register is refused, naming it.
"""

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.service import record
from ..extensions import db
from ..forms import clean_text
from ..locking import begin_write
from ..offices.registry import offices
from ..offices.scope import ALL_OFFICES
from ..offices.settings import current
from ..refusal import Refused
from ..texts import current_language
from .models import Municipality

#: a county has at most a few dozen municipalities, the whole country 357: some 20 KB
MAX_BYTES = 256 * 1024
DATA = Path(__file__).parent / "data"
DEMO_FILE = DATA / "municipalities-finnmark.csv"

REQUIRED = ("number", "name", "language_decision")
OPTIONAL = ("sami_name", "sami_area", "active", "county")
LANGUAGE_WORDS = {
    "bokmål": "bokmal", "bokmal": "bokmal", "nynorsk": "nynorsk",
    "nøytral": "neutral", "noytral": "neutral", "neutral": "neutral",
    "unknown": "unknown", "ukjent": "unknown", "": "unknown",
}
YES_NO = {"yes": True, "ja": True, "no": False, "nei": False}
NUMBER = re.compile(r"[0-9]{4}")
NAME_MAX = 100


@dataclass(frozen=True)
class Row:
    line: int
    number: str
    name: str
    language_decision: str
    sami_name: str | None = None
    sami_area: bool | None = None
    active: bool | None = None
    county: str | None = None


@dataclass(frozen=True)
class Result:
    added: int
    changed: int
    unchanged: int

    @property
    def total(self) -> int:
        return self.added + self.changed + self.unchanged


def _refuse(code: str, message) -> None:
    raise Refused(f"municipalities.{code}", message)


def _text(data: bytes) -> str:
    if len(data) > MAX_BYTES:
        _refuse("too_large", _l("The file is too large: at most %(kb)d KB.", kb=MAX_BYTES // 1024))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        _refuse("not_utf8", _l("Line %(line)d: the file is not UTF-8 text. Save it as CSV UTF-8 and try again.",
                               line=line))


def _name(value: str, line: int, *, required: bool):
    if required and not value:
        _refuse("missing_name", _l("Line %(line)d: the name is missing.", line=line))
    if len(value) > NAME_MAX or any(ord(c) < 32 or c == "\x7f" for c in value):
        _refuse("bad_name", _l("Line %(line)d: a name may be at most %(max)d characters on one line.",
                               line=line, max=NAME_MAX))
    return value


def parse(data: bytes) -> list[Row]:
    """The rows of a CSV file, or Refused naming the first bad line."""
    text = _text(data)
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [clean_text(cell).strip().lower() for cell in next(reader, [])]
        known = set(REQUIRED) | set(OPTIONAL)
        if (not set(REQUIRED) <= set(header) or not set(header) <= known or len(set(header)) != len(header)):
            _refuse("bad_header", _l("Line 1: the header must name the columns %(required)s, and may add "
                                     "%(optional)s.", required=", ".join(REQUIRED), optional=", ".join(OPTIONAL)))
        rows, seen = [], {}
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                _refuse("bad_row", _l("Line %(line)d: the row has %(found)d columns, the header %(expected)d.",
                                      line=line, found=len(cells), expected=len(header)))
            values = {column: clean_text(cell).strip() for column, cell in zip(header, cells, strict=True)}
            rows.append(_row(values, line, seen))
    except csv.Error:
        _refuse("bad_row", _l("Line %(line)d: the row is not valid CSV.", line=reader.line_num))
    if not rows:
        _refuse("empty", _l("The file has no municipalities."))
    return rows


def _row(values: dict, line: int, seen: dict) -> Row:
    number = values["number"]
    if not NUMBER.fullmatch(number):
        _refuse("bad_number", _l("Line %(line)d: the municipality number must be four digits, not «%(number)s».",
                                 line=line, number=number[:20]))
    if number in seen:
        _refuse("duplicate", _l("Line %(line)d: the number %(number)s is also on line %(other)d.",
                                line=line, number=number, other=seen[number]))
    seen[number] = line
    word = values["language_decision"].lower()
    if word not in LANGUAGE_WORDS:
        _refuse("bad_language", _l("Line %(line)d: «%(word)s» is not a language decision. Write bokmål, nynorsk, "
                                   "nøytral or unknown.", line=line, word=word[:30]))
    flags = {}
    for column in ("sami_area", "active"):
        if column in values:
            word_ = values[column].lower()
            if word_ not in YES_NO:
                _refuse("bad_yes_no", _l("Line %(line)d: %(column)s must be yes or no.", line=line, column=column))
            flags[column] = YES_NO[word_]
    return Row(
        line=line, number=number, name=_name(values["name"], line, required=True),
        language_decision=LANGUAGE_WORDS[word],
        sami_name=_name(values["sami_name"], line, required=False) if "sami_name" in values else None,
        county=_name(values["county"], line, required=False) if "county" in values else None,
        **flags,
    )


def load(data: bytes, *, county: str | None = None) -> Result:
    """Check the whole file, then add or update its municipalities by number in one transaction, with an
    audit entry. Refused (and nothing written) if any row is bad."""
    rows = parse(data)
    if county is not None:
        county = _name(clean_text(county).strip(), 0, required=False)
    begin_write()
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(db.text("LOCK TABLE municipality IN EXCLUSIVE MODE"))
        existing = _this_offices(rows)
        added = changed = 0
        for row in rows:
            municipality = existing.get(row.number)
            if municipality is None:
                municipality = Municipality(number=row.number, name=row.name, sami_name="", sami_area=False,
                                            active=True, county="", language_decision="unknown")
                db.session.add(municipality)
                added += 1
            elif _apply(municipality, row, county, dry_run=True):
                changed += 1
            _apply(municipality, row, county)
        result = Result(added=added, changed=changed, unchanged=len(rows) - added - changed)
        record("municipality.import", None,
               f"{result.total} municipalities: {added} new, {changed} changed, {result.unchanged} unchanged")
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return result


def _this_offices(rows: list[Row]) -> dict:
    """The office's municipalities with the file's numbers, by number; Refused for a number that is in another
    office's register (numbers are unique nationally: the database would refuse the row)."""
    office_id = current().id
    found = db.session.scalars(select(Municipality).where(Municipality.number.in_([row.number for row in rows])),
                               execution_options={ALL_OFFICES: True}).all()
    elsewhere = {m.number: m for m in found if m.office_id != office_id}
    for row in rows:
        other = elsewhere.get(row.number)
        if other is not None:
            office = offices().by_id(other.office_id)
            _refuse("other_office", _l(
                "Line %(line)d: the municipality number %(number)s (%(name)s) is in the register of %(office)s. A "
                "municipality is in one office's register.", line=row.line, number=row.number, name=other.name,
                office=office.name_in(current_language()) if office is not None else other.office_id))
    return {m.number: m for m in found}


def _apply(municipality: Municipality, row: Row, county: str | None, *, dry_run: bool = False) -> bool:
    """Set what the row says on *municipality*; whether anything differs."""
    wanted = {"name": row.name}
    if row.language_decision != "unknown" or municipality.language_decision is None:
        wanted["language_decision"] = row.language_decision
    for column in ("sami_name", "sami_area", "active"):
        if getattr(row, column) is not None:
            wanted[column] = getattr(row, column)
    if row.county is not None or county is not None:
        wanted["county"] = row.county if row.county else (county or "")
    differs = any(getattr(municipality, column) != value for column, value in wanted.items())
    if not dry_run:
        for column, value in wanted.items():
            setattr(municipality, column, value)
    return differs


def load_demo() -> Result:
    """The Finnmark file, for seed-demo."""
    return load(DEMO_FILE.read_bytes(), county="Finnmark")
