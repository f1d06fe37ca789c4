"""The rules for following a gathering online: the video link (who is given it, how a change is told) and
online attendance (marked by the organiser, or read from the meeting tool's attendance report).

Online attendance is stored as on-site arrival is: `checked_in_at` on a confirmed registration, so
"attended" means the same for both sides. It is taken from the gathering's start onwards, never before: nobody
has attended a gathering that has not begun, and the reach figures count what is marked.
"""

import csv
import io
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from ..audit.service import record
from ..extensions import db
from ..files.uploads import check_size
from ..forms import clean_text
from ..gatherings.models import Gathering
from ..locking import begin_write, locked
from ..refusal import Refused
from ..registration.models import Registration, normalise_email
from ..seats import sides
from ..timeutil import utcnow
from . import notify
from .models import VideoLink

#: an attendance report is a small text file: a few thousand lines
REPORT_MAX_BYTES = 2**20


def link_of(gathering_id: int) -> VideoLink | None:
    """The stored link, for the organiser's page."""
    return db.session.get(VideoLink, gathering_id)


def online_confirmed(gathering_id: int) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering_id, Registration.status == "confirmed",
                                   sides.on_side(sides.ONLINE)).order_by(Registration.id)))


def set_video_link(gathering_id: int, url: str, meeting_id: str = "", passcode: str = "") -> int:
    """Save (or with an empty *url* remove) the video link; return how many participants are told.

    A new or changed link raises the gathering's revision and mails every confirmed online participant
    "the link is ready" with an updated invite (LOCATION and URL are the link), in one transaction. The
    audit entry says that the link changed, never what it is.
    """
    gathering = locked(Gathering, gathering_id)
    if gathering.mode == "on_site" and url:
        db.session.rollback()
        raise Refused("on_site", _l("An on-site gathering has no video link. Make it online or hybrid first."))
    link = db.session.get(VideoLink, gathering_id)
    before = link.shown() if link is not None else None
    if not url:
        if link is not None:
            db.session.delete(link)
            record("gathering.video_link", gathering, f"Video link removed for {gathering.text('title', 'nb')}")
        db.session.commit()
        return 0
    if link is None:
        link = VideoLink(gathering_id=gathering_id, url=url)
        db.session.add(link)
    link.url, link.meeting_id, link.passcode = url, meeting_id, passcode
    if link.shown() == before:
        db.session.commit()
        return 0
    told = 0
    if gathering.status == "published" and not gathering.has_ended():
        gathering.revision += 1  # the online participants' calendars get the new place
        for registration in online_confirmed(gathering_id):
            notify.notify_link_ready(registration)
            told += 1
    record("gathering.video_link", gathering,
           f"Video link changed for {gathering.text('title', 'nb')}, {told} online participants told")
    db.session.commit()
    return told


NOT_STARTED = _l("Online attendance can be taken once the gathering has started.")


def _started(gathering: Gathering, now) -> None:
    """Refuses "not_started" before the gathering's start."""
    if not gathering.has_started(now):
        db.session.rollback()
        raise Refused("not_started", NOT_STARTED)


def mark_attended(registration_id: int, attended: bool, *, now=None) -> Registration:
    """The organiser marks a confirmed online participant as having attended, or undoes it, from the gathering's
    start. Refuses "not_online" for anyone else (on-site people are checked in on the check-in page) and
    "not_started" before the start."""
    now = now or utcnow()
    begin_write()
    found = db.session.get(Registration, registration_id)
    if found is None:
        db.session.rollback()
        raise Refused("not_online", _l("Only a confirmed online participant can be marked here."))
    _started(found.gathering, now)
    condition = Registration.checked_in_at.is_(None) if attended else Registration.checked_in_at.is_not(None)
    db.session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status == "confirmed",
               sides.on_side(sides.ONLINE), condition)
        .values(checked_in_at=now if attended else None).execution_options(synchronize_session=False))
    db.session.commit()
    registration = db.session.get(Registration, registration_id, populate_existing=True)
    if registration.status != "confirmed" or registration.attendance_mode != sides.ONLINE:
        raise Refused("not_online", _l("Only a confirmed online participant can be marked here."))
    return registration


@dataclass(frozen=True)
class Matched:
    #: online participants marked as attended now (or already)
    matched: int
    #: addresses in the report that are no confirmed online participant of the gathering
    unmatched: int


REPORT_UNREADABLE = _l("The file could not be read as a CSV file with e-mail addresses. Save the attendance "
                       "report as CSV (UTF-8) and try again.")


def addresses_in(data: bytes) -> set[str]:
    """The e-mail addresses in an attendance report: any cell with an @, whatever the column; ";", "," or a tab
    between cells (Teams writes UTF-16 with tabs, Excel in Norway ";"), with or without a byte order mark."""
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise Refused("unreadable", REPORT_UNREADABLE)
    if "\x00" in text:
        raise Refused("unreadable", REPORT_UNREADABLE)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    found = set()
    for row in csv.reader(io.StringIO(text), dialect):
        for cell in row:
            cell = clean_text(cell).strip().strip("<>").strip()
            if "@" in cell and " " not in cell and len(cell) <= 254:
                found.add(normalise_email(cell))
    return found


def import_report(gathering_id: int, data: bytes, *, now=None) -> Matched:
    """Mark as attended every confirmed online participant whose address is in the meeting tool's attendance
    report (CSV), from the gathering's start. The file is read here and never stored; the audit entry has the
    counts only. Refuses "empty", "too_large" (files/uploads.py), "unreadable" and "not_started"."""
    now = now or utcnow()
    check_size(data, REPORT_MAX_BYTES)
    addresses = addresses_in(data)
    if not addresses:
        raise Refused("unreadable", REPORT_UNREADABLE)
    gathering = locked(Gathering, gathering_id)
    _started(gathering, now)
    people = {r.email_normalized: r for r in online_confirmed(gathering_id)}
    matched = [people[address] for address in addresses if address in people]
    for registration in matched:
        if registration.checked_in_at is None:
            registration.checked_in_at = now
    record("registration.online_attendance", gathering,
           f"Attendance report for {gathering.text('title', 'nb')}: {len(matched)} matched, "
           f"{len(addresses) - len(matched)} not matched")
    db.session.commit()
    return Matched(len(matched), len(addresses) - len(matched))
