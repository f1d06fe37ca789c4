"""What the national administrator does and reads: an office created with its first admin, every office's counts."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.service import record
from ..auth import notify
from ..auth.models import User
from ..auth.service import create_user
from ..extensions import db
from ..gatherings.models import Gathering, Round
from ..offices.models import Office
from ..offices.registry import offices, settings_of
from ..offices.scope import ALL_OFFICES, use_office
from ..offices.service import create_office
from ..offices.settings import OfficeSettings
from ..refusal import Refused


def create_office_with_admin(slug: str, name: str, *, names: dict, default_language: str, languages,
                             contact_email: str, reply_to: str, admin_name: str, admin_email: str) -> tuple:
    """A new office (offices.service.create_office) and its first admin, an account of that office that gets the
    welcome mail with a link to choose a password, in the office's name; an audit entry for each: the office's
    in the national log (no office), the account's in the new office's log. Refused as either rule refuses; the
    caller rolls back then (nothing is kept) or commits (the content version is raised: every process sees the
    office at its next request). Returns (office, user)."""
    office = create_office(slug, name, names=names, default_language=default_language, languages=languages,
                           contact_email=contact_email, reply_to=reply_to)
    _flush("slug", slug)
    record("office.create", office, f"/{office.slug}/ {office.name} ({office.default_language}; {office.languages})")
    _flush("slug", slug)  # the entry belongs to no office: flushed before the new office is in scope
    settings = settings_of(office)
    with use_office(settings):
        user = create_user(admin_email, admin_name, admin=True)
        notify.queue_password_link(user, "welcome")
        entry = record("user.create", user, f"{user.email} ({user.role}), the first admin of /{office.slug}/")
        entry.office_id = office.id
        _flush("exists", admin_email)
    return office, user


def _flush(code: str, value: str) -> None:
    """Flush; a row another request added meanwhile (the same address segment or e-mail) is refused, not a 500."""
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refused(code, f"{value!r} was taken meanwhile") from None


@dataclass
class OfficeRow:
    office: OfficeSettings
    organisers: int
    rounds: int
    gatherings: int


def _per_office(model, *where) -> dict:
    query = select(model.office_id, func.count()).where(*where).group_by(model.office_id)
    return dict(db.session.execute(query, execution_options={ALL_OFFICES: True}).all())


def office_rows() -> list[OfficeRow]:
    """Every office, oldest first, with its active organisers (admins too), rounds and gatherings: three
    statements however many offices there are."""
    organisers = _per_office(User, User.active.is_(True), User.office_id.is_not(None))
    rounds = _per_office(Round)
    gatherings = _per_office(Gathering)
    return [OfficeRow(office, organisers.get(office.id, 0), rounds.get(office.id, 0), gatherings.get(office.id, 0))
            for office in offices().all]


def office_exists(slug: str) -> bool:
    return db.session.scalar(select(Office.id).where(Office.slug == slug),
                             execution_options={ALL_OFFICES: True}) is not None
