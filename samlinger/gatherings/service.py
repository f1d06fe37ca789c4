"""The rules for rounds and gatherings: publishing, copying, moving and cancelling."""

import re
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.orm import selectinload

from ..audit.service import record
from ..documents import service as documents
from ..extensions import db
from ..locking import locked
from ..mail.models import OutboundEmail
from ..questions.models import Question
from ..refusal import Refused
from ..registration import notify
from ..registration.lists import with_status
from ..registration.models import ACTIVE
from ..registration.service import promote_waiting
from ..seats import sides
from ..seats.ledger import ledger
from ..timeutil import FIRST_DAY, LAST_DAY, oslo, oslo_to_utc
from .models import Gathering, Round
from .slugs import unique_slug

#: what a gathering form may set
GATHERING_FIELDS = ("title", "title_nn", "slug", "region", "mode", "venue", "address", "starts_at", "ends_at",
                    "registration_deadline", "capacity", "online_capacity", "waitlist_enabled",
                    "per_municipality_limit", "held_seats", "held_until", "description", "description_nn",
                    "programme", "programme_nn", "documents_visibility", "confirm_address_hours")
ROUND_FIELDS = ("year", "term", "title", "title_nn", "intro", "intro_nn")
#: spring to autumn and autumn to spring: 26 weeks, so every gathering keeps its weekday
NEXT_TERM_SHIFT = timedelta(weeks=26)
TERM_WORDS = {"spring": ("våren", "vår"), "autumn": ("høsten", "hausten", "haust", "høst")}
#: the same for a Nynorsk title: "våren" becomes "hausten", not "høsten"
TERM_WORDS_NN = {"spring": ("våren", "vår"), "autumn": ("hausten", "haust", "høsten", "høst")}

ROUND_EXISTS = _l("There is already a round for that term and year.")
CANCELLED = _l("The gathering is cancelled.")
HAS_REGISTRATIONS = _l("The gathering has registrations, so it cannot be deleted or taken back to draft. Cancel it "
                       "instead; everyone registered is told.")


# --- reading -------------------------------------------------------------------------------

def rounds() -> list[Round]:
    """Every round, newest term first, with its gatherings (one more query, not one per round)."""
    autumn_first = case((Round.term == "autumn", 0), else_=1)
    return list(db.session.scalars(select(Round).options(selectinload(Round.gatherings))
                                   .order_by(Round.year.desc(), autumn_first, Round.id.desc())))


# --- rounds --------------------------------------------------------------------------------

def _round_exists(year: int, term: str, except_id: int | None = None) -> bool:
    query = select(Round.id).where(Round.year == year, Round.term == term)
    if except_id is not None:
        query = query.where(Round.id != except_id)
    return db.session.scalar(query) is not None


def save_round(round_: Round | None, data: dict) -> Round:
    """Create a round (a draft) or change one. Refuses "round_exists"."""
    if _round_exists(data["year"], data["term"], round_.id if round_ else None):
        raise Refused("round_exists", ROUND_EXISTS)
    created = round_ is None
    if created:
        round_ = Round(published=False)
        db.session.add(round_)
    for field in ROUND_FIELDS:
        setattr(round_, field, data[field])
    record("round.create" if created else "round.edit", round_, round_.text("title", "nb"))
    db.session.commit()
    return round_


def set_round_published(round_: Round, published: bool) -> None:
    round_.published = published
    record("round.publish" if published else "round.unpublish", round_, round_.text("title", "nb"))
    db.session.commit()


def delete_round(round_: Round) -> None:
    """Delete an empty round. Refuses "round_has_gatherings"."""
    if round_.gatherings:
        raise Refused("round_has_gatherings",
                      _l("Only an empty round can be deleted. Delete or move its gatherings first."))
    record("round.delete", round_, round_.text("title", "nb"))
    db.session.delete(round_)
    db.session.commit()


def next_term(year: int, term: str) -> tuple[int, str]:
    return (year, "autumn") if term == "spring" else (year + 1, "spring")


def _retitle(text: str, old: tuple[int, str], new: tuple[int, str], words=TERM_WORDS) -> str:
    """Put the new term and year into a title written for the old ones, where they appear."""
    text = re.sub(rf"\b{old[0]}\b", str(new[0]), text)
    old_words, new_words = words[old[1]], words[new[1]]
    for i, word in enumerate(old_words):
        replacement = new_words[min(i, len(new_words) - 1)]
        text = re.sub(rf"\b{word}\b", replacement, text)
        text = re.sub(rf"\b{word.capitalize()}\b", replacement.capitalize(), text)
    return text


def _shift(instant: datetime, days: timedelta) -> datetime:
    """The same wall-clock time in Oslo, *days* later: DST does not move the hour."""
    local = oslo(instant)
    return oslo_to_utc(local.date() + days, local.time().replace(tzinfo=None))


def _fits_next_term(round_: Round) -> bool:
    """Whether the round's gatherings, moved a term on, keep within the days the forms accept."""
    days = [day for g in round_.gatherings
            for day in (oslo(g.starts_at).date(), oslo(g.ends_at).date(), g.registration_deadline,
                        g.held_until or g.registration_deadline)]
    return all(FIRST_DAY <= day <= LAST_DAY - NEXT_TERM_SHIFT for day in days)


def copy_to_next_round(round_: Round) -> Round:
    """A new draft round for the next term with the same gatherings (as drafts), dates moved 26 weeks.

    Refuses "round_exists" if the next term already has a round, "out_of_range" if
    the copy would fall outside the years the forms accept.
    """
    new_term = next_term(round_.year, round_.term)
    if new_term[0] > LAST_DAY.year or not _fits_next_term(round_):
        raise Refused("out_of_range", _l("The copy would fall outside the years %(first)d to %(last)d. Change "
                                         "the dates first.", first=FIRST_DAY.year, last=LAST_DAY.year))
    if _round_exists(*new_term):
        raise Refused("round_exists", ROUND_EXISTS)
    old_term = (round_.year, round_.term)
    copy = Round(year=new_term[0], term=new_term[1], title=_retitle(round_.title, old_term, new_term),
                  title_nn=_retitle(round_.title_nn, old_term, new_term, TERM_WORDS_NN),
                  intro=round_.intro, intro_nn=round_.intro_nn, published=False)
    db.session.add(copy)
    for gathering in round_.gatherings:
        title = _retitle(gathering.title, old_term, new_term)
        title_nn = _retitle(gathering.title_nn, old_term, new_term, TERM_WORDS_NN)
        new = Gathering(
            round=copy, title=title, title_nn=title_nn, slug=unique_slug(title or title_nn),
            region=gathering.region, venue=gathering.venue,
            address=gathering.address, starts_at=_shift(gathering.starts_at, NEXT_TERM_SHIFT),
            ends_at=_shift(gathering.ends_at, NEXT_TERM_SHIFT),
            registration_deadline=gathering.registration_deadline + NEXT_TERM_SHIFT, capacity=gathering.capacity,
            mode=gathering.mode, online_capacity=gathering.online_capacity,
            waitlist_enabled=gathering.waitlist_enabled, per_municipality_limit=gathering.per_municipality_limit,
            held_seats=gathering.held_seats,
            held_until=gathering.held_until and gathering.held_until + NEXT_TERM_SHIFT,
            confirm_address_hours=gathering.confirm_address_hours,
            status="draft", description=gathering.description,
            description_nn=gathering.description_nn, programme=gathering.programme,
            programme_nn=gathering.programme_nn, documents_visibility=gathering.documents_visibility,
        )
        db.session.add(new)
        db.session.flush()  # the next unique_slug sees this one
        for question in gathering.questions:
            db.session.add(Question(gathering=new, position=question.position, kind=question.kind,
                                    label=question.label, choices=list(question.choices), required=question.required))
    record("round.copy", copy, f"Copied from {round_.text('title', 'nb')}")
    db.session.commit()
    return copy


# --- gatherings ----------------------------------------------------------------------------

def create_gathering(round_: Round, data: dict) -> Gathering:
    """Create a draft gathering in *round_*."""
    gathering = Gathering(round=round_, status="draft", revision=0)
    for field in GATHERING_FIELDS:
        setattr(gathering, field, data[field])
    db.session.add(gathering)
    record("gathering.create", gathering, gathering.text("title", "nb"))
    db.session.commit()
    return gathering


def can_edit(gathering: Gathering) -> bool:
    """Whether the gathering's details can still change: not once it is cancelled (`update_gathering`,
    `set_gathering_published` and `cancel_gathering` refuse "cancelled")."""
    return gathering.status != "cancelled"


def update_gathering(gathering_id: int, data: dict, *, notify_participants: bool) -> tuple[Gathering, int]:
    """Save changes; a new time or place raises the revision and, if asked, mails every
    confirmed participant an updated invite in the same transaction.

    Returns the gathering and how many participants were notified. Refuses "cancelled": a cancelled gathering
    keeps what its participants were told.
    """
    gathering = locked(Gathering, gathering_id)  # no registration slips in between the change and the mails
    if not can_edit(gathering):
        db.session.rollback()
        raise Refused("cancelled", CANCELLED)
    before = gathering.time_or_place
    for field in GATHERING_FIELDS:
        setattr(gathering, field, data[field])
    moved = gathering.time_or_place != before
    if moved:
        gathering.revision += 1
    db.session.flush()
    sides.settle(gathering)  # on site or online only now: everyone is on that side
    # More seats (or no limit any more) go to the waiting list at once, in order; their
    # invites already carry the new time and revision.
    promoted = {registration.id for registration in promote_waiting(gathering)}
    notified = 0
    if moved and notify_participants:
        for registration in with_status([gathering.id], ("confirmed",)):
            if registration.id not in promoted:
                notify.notify_updated(registration)
                notified += 1
    if moved:
        record("gathering.move", gathering,
               f"{gathering.text('title', 'nb')}: new time or place (revision {gathering.revision}), "
               f"{notified} notified")
    else:
        record("gathering.edit", gathering, gathering.text("title", "nb"))
    db.session.commit()
    return gathering, notified


def set_gathering_published(gathering: Gathering, published: bool) -> None:
    """Publish a draft, or take a gathering without registrations back to draft.

    Refuses "cancelled", or "has_registrations" when anyone has registered, also if they cancelled since.
    """
    if not can_edit(gathering):
        raise Refused("cancelled", CANCELLED)
    if not published and ledger(gathering).counts.total:
        raise Refused("has_registrations", HAS_REGISTRATIONS)
    gathering.status = "published" if published else "draft"
    record("gathering.publish" if published else "gathering.unpublish", gathering, gathering.text("title", "nb"))
    db.session.commit()


def cancel_gathering(gathering_id: int, reason: str) -> int:
    """Cancel the gathering and tell everyone registered, with the reason; confirmed
    participants get METHOD:CANCEL. Returns how many were told. Refuses "cancelled"."""
    gathering = locked(Gathering, gathering_id)
    if not can_edit(gathering):
        db.session.rollback()
        raise Refused("cancelled", CANCELLED)
    gathering.status, gathering.cancel_reason = "cancelled", reason
    registrations = with_status([gathering.id], ACTIVE)
    for registration in registrations:
        notify.notify_gathering_cancelled(registration, reason)
    # Not the reason: an organiser's own words may name a participant, and the log outlives the purge.
    record("gathering.cancel", gathering, f"{gathering.text('title', 'nb')} ({len(registrations)} notified)")
    db.session.commit()
    return len(registrations)


def delete_gathering(gathering_id: int) -> None:
    """Delete a gathering nobody has registered for, with its presentations and their stored files.
    Refuses "has_registrations", also when they have all cancelled."""
    gathering = locked(Gathering, gathering_id)
    if ledger(gathering).counts.total:
        db.session.rollback()
        raise Refused("has_registrations", HAS_REGISTRATIONS)
    db.session.execute(update(OutboundEmail).where(OutboundEmail.gathering_id == gathering.id)
                       .values(gathering_id=None))
    # Its documents go with it (cascade); their files only once that is committed.
    keys = documents.stored_keys(gathering.id)
    record("gathering.delete", gathering, gathering.text("title", "nb"))
    db.session.delete(gathering)
    db.session.commit()
    documents.delete_stored_files(keys)
