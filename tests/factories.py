"""Rows for tests, with sensible defaults.

Each function adds one row inside the current application context, commits, and returns it; keyword
arguments override fields. Dates are in Oslo (`timeutil.oslo_today()`), as a person there would see them.
Migration tests that write rows of an older schema keep writing SQL: these use the current models.
"""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from samlinger.auth.models import User
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.registration import service
from samlinger.registration.models import Registration, normalise_email
from samlinger.timeutil import OSLO, oslo_today

PASSWORD = "riktig hest batteri stift"
#: the authenticator secret of every account made here with a second factor (totp_code makes its codes)
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def oslo_dt(day: date, hour: int, minute: int = 0) -> datetime:
    """*day* at *hour*:*minute* in Oslo, as the UTC instant the database keeps."""
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO).astimezone(UTC)


def round_(year: int = 2027, term: str = "spring", **fields) -> Round:
    """The round of *year* and *term* (spring 2027 unless told): the one there is, or a new published one.

    *fields* (title, published, intro) apply only to a new round.
    """
    found = db.session.scalar(select(Round).filter_by(year=year, term=term))
    if found is not None:
        return found
    values = {"title": f"Samlinger i Prosjektnettverket {'våren' if term == 'spring' else 'hausten'} {year}",
              "published": True} | fields
    made = Round(year=year, term=term, **values)
    db.session.add(made)
    db.session.commit()
    return made


def _free_number() -> int:
    """The lowest n for which the slug samling-n is not taken."""
    taken = set(db.session.scalars(select(Gathering.slug).where(Gathering.slug.like("samling-%"))))
    n = 1
    while f"samling-{n}" in taken:
        n += 1
    return n


def gathering(*, day: date | None = None, round: Round | None = None, round_published: bool = True,
              **fields) -> Gathering:
    """A published gathering with 20 seats and a waiting list, 30 days from today in Oslo, 10:00–15:30 there,
    its deadline a week before; in the spring-2027 round unless *round* is given (*round_published* says
    whether that round is published, when it is made here)."""
    day = day or oslo_today() + timedelta(days=30)
    n = _free_number()
    values = dict(
        slug=f"samling-{n}", title=f"Samling {n}", region="east", venue="Scandic Alta",
        address="Løkkeveien 61, 9510 Alta", starts_at=oslo_dt(day, 10), ends_at=oslo_dt(day, 15, 30),
        registration_deadline=day - timedelta(days=7), capacity=20, waitlist_enabled=True,
        status="published", description="Om **prosjektarbeid**.",
    ) | fields
    made = Gathering(round=round or round_(published=round_published), **values)
    db.session.add(made)
    db.session.commit()
    return made


def registration(gathering_id: int, *, email: str = "kari@alta.kommune.no", name: str = "Kari Nordmann",
                 organisation: str = "Alta kommune", language: str = "nb", **details) -> Registration:
    """Register *email* through the registration rules (`registration.service.register`), mail and all."""
    outcome = service.register(gathering_id, {"name": name, "organisation": organisation, **details},
                               email=email, language=language)
    return outcome.registration


def registration_row(gathering_id: int, *, email: str = "kari@alta.kommune.no", **fields) -> Registration:
    """A registration row written directly, for a state the rules would not reach (or a write that bypasses
    them). It gets a manage link (`registration.manage_token()`) unless *manage_token_hash* is given.
    """
    values = dict(gathering_id=gathering_id, status="confirmed", name="Kari Nordmann", email=email,
                  email_normalized=normalise_email(email), organisation="Alta kommune", language="nb") | fields
    made = Registration(**values)
    if made.manage_token_hash is None:
        made.new_link()
    db.session.add(made)
    db.session.commit()
    return made


def user(email: str = "ola@statsforvalteren.test", *, name: str = "Ola Arrangør", role: str = "organiser",
         password: str = PASSWORD, active: bool = True, second_factor: bool = True) -> User:
    """An account that can log in with *password* and, with *second_factor*, codes of TOTP_SECRET."""
    from samlinger.auth.secondfactor import _SEALED_AS
    from samlinger.sealing import seal

    made = User(email=email, name=name, role=role, active=active)
    made.set_password(password)
    if second_factor:
        made.totp_secret = seal(TOTP_SECRET, _SEALED_AS)
        made.totp_enrolled_at = datetime.now(UTC)
    db.session.add(made)
    db.session.commit()
    return made
