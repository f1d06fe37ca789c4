"""The rules for rounds and gatherings: publishing, copying, moving and cancelling."""

import re
import unicodedata
from datetime import date, datetime, timedelta

from sqlalchemy import case, func, select, update

from ..audit.service import record
from ..documents import service as documents
from ..extensions import db
from ..gatherings.models import Gathering, Season
from ..locking import locked
from ..mail import notify
from ..mail.models import OutboundEmail
from ..questions.models import Question
from ..registration.models import Registration
from ..registration.service import promote_waiting
from ..timeutil import FIRST_DAY, LAST_DAY, oslo, oslo_to_utc

#: what a gathering form may set
GATHERING_FIELDS = ("title", "slug", "region", "venue", "address", "starts_at", "ends_at", "registration_deadline",
                    "capacity", "waitlist_enabled", "description", "programme", "documents_visibility")
ROUND_FIELDS = ("year", "term", "title", "intro")
#: spring to autumn and autumn to spring: 26 weeks, so every gathering keeps its weekday
NEXT_TERM_SHIFT = timedelta(weeks=26)
TERM_WORDS = {"spring": ("våren", "vår"), "autumn": ("høsten", "hausten", "haust", "høst")}


class RoundsError(Exception):
    """An action the rules refuse; *code* says which rule."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- slugs ---------------------------------------------------------------------------------

_LETTERS = str.maketrans({"æ": "ae", "ø": "o", "å": "aa", "Æ": "ae", "Ø": "o", "Å": "aa"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str) -> str:
    """'Samling i øst våren 2027' -> 'samling-i-ost-vaaren-2027': ASCII, lower case, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_LETTERS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:100] or "samling"


def slug_taken(slug: str, except_id: int | None = None) -> bool:
    query = select(Gathering.id).where(Gathering.slug == slug)
    if except_id is not None:
        query = query.where(Gathering.id != except_id)
    return db.session.scalar(query) is not None


def unique_slug(text: str, except_id: int | None = None) -> str:
    base = slugify(text)
    slug, n = base, 2
    while slug_taken(slug, except_id):
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- reading -------------------------------------------------------------------------------

def rounds() -> list[Season]:
    """Every round, newest term first."""
    autumn_first = case((Season.term == "autumn", 0), else_=1)
    return list(db.session.scalars(select(Season).order_by(Season.year.desc(), autumn_first, Season.id.desc())))


def registration_counts(gathering_ids) -> dict[int, int]:
    """Active registrations per gathering."""
    ids = list(gathering_ids)
    rows = db.session.execute(
        select(Registration.gathering_id, func.count()).where(
            Registration.gathering_id.in_(ids), Registration.status != "cancelled"
        ).group_by(Registration.gathering_id)
    ) if ids else []
    counts = dict.fromkeys(ids, 0)
    counts.update(dict(list(rows)))
    return counts


def _any_registrations(gathering_id: int) -> bool:
    return db.session.scalar(
        select(func.count()).select_from(Registration).where(Registration.gathering_id == gathering_id)
    ) > 0


# --- rounds --------------------------------------------------------------------------------

def _round_exists(year: int, term: str, except_id: int | None = None) -> bool:
    query = select(Season.id).where(Season.year == year, Season.term == term)
    if except_id is not None:
        query = query.where(Season.id != except_id)
    return db.session.scalar(query) is not None


def save_round(season: Season | None, data: dict) -> Season:
    """Create a round (a draft) or change one. Raises RoundsError("round_exists")."""
    if _round_exists(data["year"], data["term"], season.id if season else None):
        raise RoundsError("round_exists")
    created = season is None
    if created:
        season = Season(published=False)
        db.session.add(season)
    for field in ROUND_FIELDS:
        setattr(season, field, data[field])
    record("round.create" if created else "round.edit", season, season.title)
    db.session.commit()
    return season


def set_round_published(season: Season, published: bool) -> None:
    season.published = published
    record("round.publish" if published else "round.unpublish", season, season.title)
    db.session.commit()


def delete_round(season: Season) -> None:
    """Delete an empty round. Raises RoundsError("round_has_gatherings")."""
    if season.gatherings:
        raise RoundsError("round_has_gatherings")
    record("round.delete", season, season.title)
    db.session.delete(season)
    db.session.commit()


def next_term(year: int, term: str) -> tuple[int, str]:
    return (year, "autumn") if term == "spring" else (year + 1, "spring")


def _retitle(text: str, old: tuple[int, str], new: tuple[int, str]) -> str:
    """Put the new term and year into a title written for the old ones, where they appear."""
    text = re.sub(rf"\b{old[0]}\b", str(new[0]), text)
    old_words, new_words = TERM_WORDS[old[1]], TERM_WORDS[new[1]]
    for i, word in enumerate(old_words):
        replacement = new_words[min(i, len(new_words) - 1)]
        text = re.sub(rf"\b{word}\b", replacement, text)
        text = re.sub(rf"\b{word.capitalize()}\b", replacement.capitalize(), text)
    return text


def _shift(instant: datetime, days: timedelta) -> datetime:
    """The same wall-clock time in Oslo, *days* later: DST does not move the hour."""
    local = oslo(instant)
    return oslo_to_utc(local.date() + days, local.time().replace(tzinfo=None))


def _fits_next_term(season: Season) -> bool:
    """Whether the round's gatherings, moved a term on, keep within the days the forms accept."""
    days = [day for g in season.gatherings
            for day in (oslo(g.starts_at).date(), oslo(g.ends_at).date(), g.registration_deadline)]
    return all(FIRST_DAY <= day <= LAST_DAY - NEXT_TERM_SHIFT for day in days)


def copy_to_next_round(season: Season) -> Season:
    """A new draft round for the next term with the same gatherings (as drafts), dates moved 26 weeks.

    Raises RoundsError("round_exists") if the next term already has a round, RoundsError("out_of_range") if
    the copy would fall outside the years the forms accept.
    """
    new_term = next_term(season.year, season.term)
    if new_term[0] > LAST_DAY.year or not _fits_next_term(season):
        raise RoundsError("out_of_range")
    if _round_exists(*new_term):
        raise RoundsError("round_exists")
    old_term = (season.year, season.term)
    copy = Season(year=new_term[0], term=new_term[1], title=_retitle(season.title, old_term, new_term),
                  intro=season.intro, published=False)
    db.session.add(copy)
    for gathering in season.gatherings:
        title = _retitle(gathering.title, old_term, new_term)
        new = Gathering(
            season=copy, title=title, slug=unique_slug(title), region=gathering.region, venue=gathering.venue,
            address=gathering.address, starts_at=_shift(gathering.starts_at, NEXT_TERM_SHIFT),
            ends_at=_shift(gathering.ends_at, NEXT_TERM_SHIFT),
            registration_deadline=gathering.registration_deadline + NEXT_TERM_SHIFT, capacity=gathering.capacity,
            waitlist_enabled=gathering.waitlist_enabled, status="draft", description=gathering.description,
            programme=gathering.programme, documents_visibility=gathering.documents_visibility,
        )
        db.session.add(new)
        db.session.flush()  # the next unique_slug sees this one
        for question in gathering.questions:
            db.session.add(Question(gathering=new, position=question.position, kind=question.kind,
                                    label=question.label, choices=list(question.choices), required=question.required))
    record("round.copy", copy, f"Copied from {season.title}")
    db.session.commit()
    return copy


# --- gatherings ----------------------------------------------------------------------------

def create_gathering(season: Season, data: dict) -> Gathering:
    """Create a draft gathering in *season*."""
    gathering = Gathering(season=season, status="draft", revision=0)
    for field in GATHERING_FIELDS:
        setattr(gathering, field, data[field])
    db.session.add(gathering)
    record("gathering.create", gathering, gathering.title)
    db.session.commit()
    return gathering


def update_gathering(gathering_id: int, data: dict, *, notify_participants: bool) -> tuple[Gathering, int]:
    """Save changes; a new time or place raises the revision and, if asked, mails every
    confirmed participant an updated invite in the same transaction.

    Returns the gathering and how many participants were notified.
    """
    gathering = locked(Gathering, gathering_id)  # no registration slips in between the change and the mails
    before = gathering.time_or_place
    for field in GATHERING_FIELDS:
        setattr(gathering, field, data[field])
    moved = gathering.time_or_place != before
    if moved:
        gathering.revision += 1
    db.session.flush()
    # More seats (or no limit any more) go to the waiting list at once, in order; their
    # invites already carry the new time and revision.
    promoted = {registration.id for registration in promote_waiting(gathering)}
    notified = 0
    if moved and notify_participants:
        for registration in _registrations(gathering.id, ("confirmed",)):
            if registration.id not in promoted:
                notify.notify_updated(registration)
                notified += 1
    if moved:
        record("gathering.move", gathering,
               f"{gathering.title}: new time or place (revision {gathering.revision}), {notified} notified")
    else:
        record("gathering.edit", gathering, gathering.title)
    db.session.commit()
    return gathering, notified


def _registrations(gathering_id: int, statuses) -> list[Registration]:
    return list(db.session.scalars(
        select(Registration).where(Registration.gathering_id == gathering_id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    ))


def set_gathering_published(gathering: Gathering, published: bool) -> None:
    """Publish a draft, or take a gathering without registrations back to draft.

    Raises RoundsError("cancelled") or RoundsError("has_registrations").
    """
    if gathering.status == "cancelled":
        raise RoundsError("cancelled")
    if not published and registration_counts([gathering.id])[gathering.id]:
        raise RoundsError("has_registrations")
    gathering.status = "published" if published else "draft"
    record("gathering.publish" if published else "gathering.unpublish", gathering, gathering.title)
    db.session.commit()


def cancel_gathering(gathering_id: int, reason: str) -> int:
    """Cancel the gathering and tell everyone registered, with the reason; confirmed
    participants get METHOD:CANCEL. Returns how many were told. Raises RoundsError("cancelled")."""
    gathering = locked(Gathering, gathering_id)
    if gathering.status == "cancelled":
        db.session.rollback()
        raise RoundsError("cancelled")
    gathering.status, gathering.cancel_reason = "cancelled", reason
    registrations = _registrations(gathering.id, ("confirmed", "waitlisted"))
    for registration in registrations:
        notify.notify_gathering_cancelled(registration, reason)
    # Not the reason: an organiser's own words may name a participant, and the log outlives the purge.
    record("gathering.cancel", gathering, f"{gathering.title} ({len(registrations)} notified)")
    db.session.commit()
    return len(registrations)


def delete_gathering(gathering_id: int) -> None:
    """Delete a gathering nobody has registered for, with its presentations and their stored files.
    Raises RoundsError("has_registrations")."""
    gathering = locked(Gathering, gathering_id)
    if _any_registrations(gathering.id):
        db.session.rollback()
        raise RoundsError("has_registrations")
    db.session.execute(update(OutboundEmail).where(OutboundEmail.gathering_id == gathering.id)
                       .values(gathering_id=None))
    # Its documents go with it (cascade); their files only once that is committed.
    keys = documents.stored_keys(gathering.id)
    record("gathering.delete", gathering, gathering.title)
    db.session.delete(gathering)
    db.session.commit()
    documents.delete_stored_files(keys)


def start_day(gathering: Gathering) -> date:
    return oslo(gathering.starts_at).date()
