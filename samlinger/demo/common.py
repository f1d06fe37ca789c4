"""What every office's demo is made with: rounds, gatherings and registrations, found again by slug or term (so
seed-demo is safe to repeat), in the office in scope."""

import random
from datetime import date, time, timedelta

from sqlalchemy import select

from ..extensions import db
from ..gatherings import service
from ..gatherings.models import Gathering, Round
from ..registration.models import Registration, normalise_email
from ..timeutil import oslo_to_utc, utcnow


def term_of(day: date) -> tuple[int, str]:
    return day.year, "spring" if day.month <= 6 else "autumn"


#: "våren", "høsten" ("hausten" in Nynorsk): the first of the words the rules know for each term
TERM_WORDS = {term: words[0] for term, words in service.TERM_WORDS.items()}
TERM_WORDS_NN = {term: words[0] for term, words in service.TERM_WORDS_NN.items()}


def make_round(year: int, term: str, texts) -> Round:
    """The office's round of *term* in *year* (the office in scope), made with *texts* when it has none."""
    round_ = db.session.scalar(select(Round).where(Round.year == year, Round.term == term))
    if round_ is None:
        round_ = Round(year=year, term=term, published=True, **texts(year, term))
        db.session.add(round_)
    return round_


DEMO_DESCRIPTION = (
    "Vi jobber videre med prosjektarbeid i kommunene: fra idé og prosjektplan til gevinstrealisering.\n\n"
    "Samlingen er for prosjektledere, prosjekteiere og andre som arbeider med utviklingsprosjekter "
    "finansiert med skjønnsmidler."
)
DEMO_PROGRAMME = (
    "- 09.30 Registrering og kaffe\n- 10.00 Velkommen og runde rundt bordet\n"
    "- 10.30 Prosjektveiviseren i praksis\n- 12.00 Lunsj\n- 13.00 Erfaringer fra kommunene\n"
    "- 14.30 Gevinstrealisering og spredning\n- 15.30 Slutt"
)
DEMO_DESCRIPTION_NN = (
    "Vi arbeider vidare med prosjektarbeid i kommunane: frå idé og prosjektplan til gevinstrealisering.\n\n"
    "Samlinga er for prosjektleiarar, prosjekteigarar og andre som arbeider med utviklingsprosjekt "
    "finansierte med skjønnsmidlar."
)
DEMO_PROGRAMME_NN = (
    "- 09.30 Registrering og kaffi\n- 10.00 Velkomen og runde rundt bordet\n"
    "- 10.30 Prosjektvegvisaren i praksis\n- 12.00 Lunsj\n- 13.00 Erfaringar frå kommunane\n"
    "- 14.30 Gevinstrealisering og spreiing\n- 15.30 Slutt"
)


def weekday(day: date) -> date:
    """The first Tuesday to Thursday on or after *day*: gatherings are held midweek."""
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def make_gathering(round_, slug, title, title_nn, region, venue, address, day, deadline, capacity=30, waitlist=True,
               texts=(DEMO_DESCRIPTION, DEMO_PROGRAMME, DEMO_DESCRIPTION_NN, DEMO_PROGRAMME_NN)):
    """A published gathering; *title_nn* None leaves it in Bokmål only (the workspace marks what is missing,
    Nynorsk readers see the Bokmål texts). *texts*: description and programme in Bokmål, then in Nynorsk."""
    gathering = db.session.scalar(select(Gathering).where(Gathering.slug == slug))
    if gathering is not None:
        return gathering, False
    description, programme, description_nn, programme_nn = texts
    gathering = Gathering(
        round=round_, slug=slug, title=title, region=region, venue=venue, address=address,
        starts_at=oslo_to_utc(weekday(day), time(10, 0)), ends_at=oslo_to_utc(weekday(day), time(15, 30)),
        registration_deadline=deadline, capacity=capacity, waitlist_enabled=waitlist, status="published",
        description=description, programme=programme,
    )
    if title_nn is not None:
        gathering.title_nn, gathering.description_nn, gathering.programme_nn = title_nn, description_nn, programme_nn
    db.session.add(gathering)
    return gathering, True


def demo_registration(gathering, n, status, organisations=("Alta kommune", "Vardø kommune", "Hammerfest kommune"),
                       language="nb"):
    email = f"deltaker{n}@{gathering.slug[:20]}.example.no"
    registration = Registration(
        gathering=gathering, status=status, name=f"Deltaker {n}", email=email,
        email_normalized=normalise_email(email), organisation=organisations[n % len(organisations)],
        role="Prosjektleder", language=language, unmatched=True,
        confirmed_at=utcnow() if status == "confirmed" else None,
    )
    registration.new_link()
    db.session.add(registration)


def terms_before(year: int, term: str, count: int):
    for _ in range(count):
        year, term = (year, "spring") if term == "autumn" else (year - 1, "autumn")
        yield year, term


def past_registrations(gathering, places, numbers, names, others, language="nb") -> None:
    chance = random.Random(gathering.slug)
    confirmed = 0
    for n in range(chance.randint(10, 17)):
        if chance.random() < 0.1:
            municipality_id, organisation = None, chance.choice(others)
        else:
            municipality_id = numbers.get(chance.choice(places + places[:3]))
            organisation = f"{names.get(municipality_id, 'Alta')} kommune"
        if chance.random() < 0.1:
            status = "cancelled"
        elif confirmed < (gathering.capacity or 0):
            status, confirmed = "confirmed", confirmed + 1
        else:
            status = "waitlisted"
        arrived = status == "confirmed" and gathering.status != "cancelled" and chance.random() < 0.82
        email = f"deltaker{n}@{gathering.slug}.example.no"
        registered = gathering.starts_at - timedelta(days=30 - n)
        registration = Registration(
            gathering=gathering, status=status, name=f"Deltaker {n}", email=email,
            email_normalized=normalise_email(email), municipality_id=municipality_id, organisation=organisation,
            role="Prosjektleder", language=language, created_at=registered,
            confirmed_at=registered if status == "confirmed" else None,
            cancelled_at=registered + timedelta(days=3) if status == "cancelled" else None,
            checked_in_at=gathering.starts_at + timedelta(minutes=chance.randint(-20, 15)) if arrived else None,
        )
        registration.new_link()
        db.session.add(registration)

