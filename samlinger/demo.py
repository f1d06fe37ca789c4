"""Demo data for trying the service and for `make run`: `flask --app app seed-demo`, safe to run again.

Two offices, as in the pages this service grew from: the first office (the installation's own, from its settings:
Statsforvalteren i Finnmark in `make run`) with the Finnmark register, and Statsforvaltaren i Rogaland at
/rogaland/ (Nynorsk by default, the Rogaland register with its municipalities' language decisions), each with
its own rounds, gatherings, organiser and admin. An installation that already has the Finnmark demo gets
Rogaland added; `--one-office` leaves it out. Every office's rows are made inside `scope.use_office`, so they
land in that office.
"""

import random
from datetime import date, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from .audit.service import record
from .auth.models import User
from .documents.models import Document
from .extensions import db
from .gatherings import service
from .gatherings.models import Gathering, Round
from .municipalities import importing, resolving
from .municipalities.models import Municipality
from .offices.models import Office
from .offices.registry import offices
from .offices.scope import ALL_OFFICES, use_office
from .offices.service import create_office
from .online.models import VideoLink
from .registration.models import Registration, normalise_email
from .timeutil import oslo, oslo_to_utc, utcnow


def register_commands(app) -> None:
    app.cli.add_command(seed_demo)


def _term_of(day: date) -> tuple[int, str]:
    return day.year, "spring" if day.month <= 6 else "autumn"


#: "våren", "høsten" ("hausten" in Nynorsk): the first of the words the rules know for each term
TERM_WORDS = {term: words[0] for term, words in service.TERM_WORDS.items()}
TERM_WORDS_NN = {term: words[0] for term, words in service.TERM_WORDS_NN.items()}


def _finnmark_round_texts(year: int, term: str) -> dict:
    return dict(title=f"Samlinger i Prosjektnettverket {TERM_WORDS[term]} {year}",
                title_nn=f"Samlingar i Prosjektnettverket {TERM_WORDS_NN[term]} {year}",
                intro="Har du lyst til å lære mer om prosjektarbeid? Skal du lede et prosjekt i kommunal "
                      "regi? Statsforvalteren inviterer kommunene til samling for prosjektnettverket. "
                      "Det blir to samlinger, én i øst og én i vest.",
                intro_nn="Har du lyst til å lære meir om prosjektarbeid? Skal du leie eit prosjekt i "
                         "kommunal regi? Statsforvaltaren inviterer kommunane til samling for "
                         "prosjektnettverket. Det blir to samlingar, éi i aust og éi i vest.")


def _round(year: int, term: str, texts=_finnmark_round_texts) -> Round:
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


#: the demo's video meeting: a made-up Teams-like address on example.org
DEMO_VIDEO_LINK = "https://teams.example.org/l/meetup-join/19%3ameeting_demo-hybrid%40thread.v2/0"


def _weekday(day: date) -> date:
    """The first Tuesday to Thursday on or after *day*: gatherings are held midweek."""
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def _gathering(round_, slug, title, title_nn, region, venue, address, day, deadline, capacity=30, waitlist=True,
               texts=(DEMO_DESCRIPTION, DEMO_PROGRAMME, DEMO_DESCRIPTION_NN, DEMO_PROGRAMME_NN)):
    """A published gathering; *title_nn* None leaves it in Bokmål only (the workspace marks what is missing,
    Nynorsk readers see the Bokmål texts). *texts*: description and programme in Bokmål, then in Nynorsk."""
    gathering = db.session.scalar(select(Gathering).where(Gathering.slug == slug))
    if gathering is not None:
        return gathering, False
    description, programme, description_nn, programme_nn = texts
    gathering = Gathering(
        round=round_, slug=slug, title=title, region=region, venue=venue, address=address,
        starts_at=oslo_to_utc(_weekday(day), time(10, 0)), ends_at=oslo_to_utc(_weekday(day), time(15, 30)),
        registration_deadline=deadline, capacity=capacity, waitlist_enabled=waitlist, status="published",
        description=description, programme=programme,
    )
    if title_nn is not None:
        gathering.title_nn, gathering.description_nn, gathering.programme_nn = title_nn, description_nn, programme_nn
    db.session.add(gathering)
    return gathering, True


def _demo_registration(gathering, n, status, organisations=("Alta kommune", "Vardø kommune", "Hammerfest kommune"),
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


#: who comes to the east and the west gatherings of the demo's past rounds (municipality numbers), the first ones
#: most often; Loppa, Hasvik, Måsøy, Gamvik and Berlevåg never come, so the reach page has gaps to show
HISTORY_EAST = ["5607", "5605", "5634", "5628", "5636", "5632"]
HISTORY_WEST = ["5601", "5603", "5610", "5612", "5622", "5620", "5624"]
HISTORY_OTHERS = ["KS Finnmark", "Finnmarkssykehuset", "Sametinget"]
#: past rounds for the reach page: three years
HISTORY_TERMS = 6


def _terms_before(year: int, term: str, count: int):
    for _ in range(count):
        year, term = (year, "spring") if term == "autumn" else (year - 1, "autumn")
        yield year, term


def _history(current: Round) -> None:
    """Six past rounds, east and west, with attendance, no-shows, waiting lists and withdrawals from Finnmark
    municipalities, reaching a few more municipalities each year; one gathering the organisers cancelled.
    Each gathering gets its registrations once (when it has none), the same every time: the random numbers
    are seeded by the gathering's slug."""
    numbers = dict(db.session.execute(select(Municipality.number, Municipality.id)).all())
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    for age, (year, term) in enumerate(_terms_before(current.year, current.term, HISTORY_TERMS)):
        round_ = _round(year, term)
        month = 3 if term == "spring" else 10
        words, words_nn = TERM_WORDS[term], TERM_WORDS_NN[term]
        # Fewer municipalities came in the earlier years: the page shows the reach growing.
        places = {"east": HISTORY_EAST[:len(HISTORY_EAST) - age // 2],
                  "west": HISTORY_WEST[:len(HISTORY_WEST) - age // 2]}
        plan = [
            (f"{year}-{term}-ost", f"Samling i øst {words} {year}", f"Samling i aust {words_nn} {year}", "east",
             "Scandic Vadsø", "Oscarsgate 4, 9800 Vadsø", date(year, month, 10), "published"),
            (f"{year}-{term}-vest", f"Samling i vest {words} {year}", f"Samling i vest {words_nn} {year}", "west",
             "Thon Hotel Alta", "Løkkeveien 61, 9510 Alta", date(year, month, 24), "published"),
        ]
        if age == 3:
            plan.append((f"{year}-{term}-verksted", "Verksted: gevinstrealisering", "Verkstad: gevinstrealisering",
                         "west", "Hammerfest rådhus", "Rådhusplassen 1, 9600 Hammerfest", date(year, month, 17),
                         "cancelled"))
        for slug, title, title_nn, region, venue, address, day, status in plan:
            gathering, _created = _gathering(round_, slug, title, title_nn, region, venue, address, day,
                                             day - timedelta(days=7), capacity=14)
            if status == "cancelled" and gathering.status != "cancelled":
                gathering.status, gathering.cancel_reason = "cancelled", "For få påmeldte."
            db.session.flush()
            if db.session.scalar(select(func.count()).where(Registration.gathering_id == gathering.id)):
                continue
            _past_registrations(gathering, places[region], numbers, names)


def _past_registrations(gathering, places, numbers, names, others=HISTORY_OTHERS, language="nb") -> None:
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


@click.command("seed-demo")
@click.option("--one-office", is_flag=True,
              help="Only the first office's demo (Finnmark's), as an installation of one office: no Rogaland.")
@with_appcontext
def seed_demo(one_office):
    """Load demo offices, registers, rounds and gatherings with dates relative to today, and each office's demo
    organiser and admin (in debug mode); safe to run again, and adds Rogaland to an installation that has
    only the first office's demo."""
    first = offices().first
    with use_office(first):
        _finnmark()
        accounts = _accounts(first, FIRST_OFFICE_ACCOUNTS)
    if not one_office:
        rogaland = _rogaland_office()
        if rogaland is not None:
            with use_office(rogaland):
                _rogaland()
                accounts += _accounts(rogaland, ROGALAND_ACCOUNTS)
    click.echo("demo data ready")
    _print_offices(accounts)


def _finnmark() -> None:
    """The first office's demo: Finnmark's register, this round's five gatherings, six past rounds, evaluations."""
    today = oslo(utcnow()).date()
    round_ = _round(*_term_of(today + timedelta(days=21)))
    term, term_nn = TERM_WORDS[round_.term], TERM_WORDS_NN[round_.term]
    _gathering(round_, f"{round_.year}-{round_.term}-ost", f"Samling i øst {term} {round_.year}",
               f"Samling i aust {term_nn} {round_.year}", "east", "Scandic Kirkenes", "Kongensgate 1–3, 9900 Kirkenes",
               today + timedelta(days=21), today + timedelta(days=14))
    west, created = _gathering(round_, f"{round_.year}-{round_.term}-vest", f"Samling i vest {term} {round_.year}",
                               f"Samling i vest {term_nn} {round_.year}", "west", "Thon Hotel Alta",
                               "Løkkeveien 61, 9510 Alta", today + timedelta(days=28), today + timedelta(days=21))
    if created:  # seats shared: at most 3 per municipality, 5 kept for new municipalities for a week
        west.per_municipality_limit, west.held_seats, west.held_until = 3, 5, today + timedelta(days=14)
    _gathering(round_, f"{round_.year}-{round_.term}-frist-ute", "Frokostmøte om gevinstrealisering", None,
               "other", "Statsforvalterens hus", "Damsveien 1, 9815 Vadsø",
               today + timedelta(days=5), today - timedelta(days=1))
    full, created = _gathering(round_, f"{round_.year}-{round_.term}-verksted", "Verksted: prosjektplanen",
                               "Verkstad: prosjektplanen", "east", "Vadsø rådhus", "Rådhusgata 1, 9800 Vadsø",
                               today + timedelta(days=35), today + timedelta(days=28), capacity=3)
    if created:
        db.session.flush()
        for n, status in enumerate(["confirmed"] * 3 + ["waitlisted"]):
            _demo_registration(full, n, status)
    hybrid, created = _gathering(round_, f"{round_.year}-{round_.term}-hybrid",
                                 f"Nettverkssamling, hybrid {term} {round_.year}",
                                 f"Nettverkssamling, hybrid {term_nn} {round_.year}", "other", "Statsforvalterens hus",
                                 "Damsveien 1, 9815 Vadsø", today + timedelta(days=42), today + timedelta(days=35),
                                 capacity=20)
    if created:
        # On site in Vadsø, and online for the distant municipalities: 40 online seats; the link only participants see.
        hybrid.mode, hybrid.online_capacity = "hybrid", 40
        db.session.flush()
        db.session.add(VideoLink(gathering_id=hybrid.id, url=DEMO_VIDEO_LINK, meeting_id="385 912 664 07",
                                 passcode="Nordlys7"))

    earlier = today - timedelta(days=200)
    past_round = _round(*_term_of(earlier))
    past, created = _gathering(past_round, f"{past_round.year}-{past_round.term}-ost",
                               f"Samling i øst {TERM_WORDS[past_round.term]} {past_round.year}",
                               f"Samling i aust {TERM_WORDS_NN[past_round.term]} {past_round.year}", "east",
                               "Scandic Vadsø", "Oscarsgate 4, 9800 Vadsø", earlier, earlier - timedelta(days=10))
    if created:
        db.session.flush()
        for position, (title, title_nn, speaker) in enumerate([
            ("Prosjektarbeid i kommunene", "Prosjektarbeid i kommunane", "Statsforvalteren"),
            ("Erfaringer fra velferdsteknologiprosjektet", "", "Vardø kommune"),  # not translated yet
        ]):
            db.session.add(Document(gathering=past, title=title, title_nn=title_nn, speaker=speaker, position=position,
                                    url=f"https://example.no/presentasjoner/{position + 1}.pdf"))
    db.session.commit()
    importing.load_demo()
    _history(round_)
    db.session.commit()
    resolving.match_certain()  # the demo registrations name their municipality as text
    _evaluations(round_)


DEMO_CHANGES = ["Mer tid til spørsmål etter innleggene.", "Kortere lunsj, lengre verksted.",
                "Gjerne flere eksempler fra små kommuner.", "Del presentasjonene før samlingen."]
DEMO_TOPICS = ["Gevinstrealisering", "Anskaffelser i prosjekter", "Samarbeid mellom kommuner",
               "Søknad om skjønnsmidler"]


def _evaluations(current: Round) -> None:
    """The last round's eastern gathering gets a closed evaluation with about ten answers, the western one an
    open evaluation with a few (fewer than the results need): the same every time, made once. No mail goes."""
    from .evaluations import service as evaluations
    from .evaluations.models import new_token

    year, term = next(_terms_before(current.year, current.term, 1))
    chance = random.Random(f"evaluation-{year}-{term}")
    for slug, answering, closed in ((f"{year}-{term}-ost", 10, True), (f"{year}-{term}-vest", 2, False)):
        gathering = db.session.scalar(select(Gathering).where(Gathering.slug == slug))
        if gathering is None or gathering.evaluation is not None:
            continue
        evaluation = evaluations.create(gathering)
        evaluations.open_evaluation(evaluation.id, now=gathering.ends_at, mail=False)
        evaluation = db.session.get(type(evaluation), evaluation.id)
        evaluation.closes_on = oslo(utcnow()).date() + timedelta(days=14)  # open while the answers go in
        db.session.commit()
        questions = {q.code: q.key for q in evaluation.questions}
        for _n in range(min(answering, len(evaluation_invitations(evaluation.id)))):
            answers = {questions["benefit"]: chance.choice([3, 4, 4, 5, 5]),
                       questions["relevance"]: chance.choice([2, 3, 4, 4, 5])}
            if chance.random() < 0.6:
                answers[questions["change"]] = chance.choice(DEMO_CHANGES)
            if chance.random() < 0.7:
                answers[questions["topics"]] = chance.choice(DEMO_TOPICS)
            evaluations.answer(new_token(evaluation.id), answers)
        if closed:
            evaluation = db.session.get(type(evaluation), evaluation.id)
            evaluation.closes_on = gathering.ends_at.date() + timedelta(days=21)
            db.session.commit()


def evaluation_invitations(evaluation_id: int):
    from .evaluations.models import EvaluationInvitation

    return list(db.session.scalars(select(EvaluationInvitation).where(
        EvaluationInvitation.evaluation_id == evaluation_id)))


# --- Rogaland -------------------------------------------------------------------------------------------------

#: the second office of the demo: Nynorsk at /rogaland/, Bokmål at /nb/rogaland/, English at /en/rogaland/
ROGALAND = dict(slug="rogaland", name="Statsforvalteren i Rogaland",
                names={"nn": "Statsforvaltaren i Rogaland", "en": "The County Governor of Rogaland"},
                default_language="nn", languages=("nn", "nb", "en"),
                contact_email="postmottak@rogaland.example.no", reply_to="arrangor@rogaland.example.no")
ROGALAND_FILE = importing.DATA / "municipalities-rogaland.csv"

ROGALAND_DESCRIPTION = (
    "Hva har kommunene lært av innovasjons- og fornyingsprosjektene de har fått skjønnsmidler til? Vi hører om "
    "«Beboerlyst» og samskapingshuset i Stavanger, om innovasjonsfremmende innkjøp og om Digi Rogaland, der alle "
    "kommunene i fylket går sammen om å utvikle gode digitale tjenester.\n\n"
    "Samlingen er for prosjektledere, prosjekteiere og andre som arbeider med innovasjon og fornying i kommunene."
)
ROGALAND_PROGRAMME = (
    "- 09.30 Registrering og kaffe\n- 10.00 Velkommen\n- 10.15 Mer velferd og mindre administrasjon: hva er fornying?\n"
    "- 11.00 Erfaringer fra prosjektene i kommunene\n- 12.00 Lunsj\n- 13.00 Digi Rogaland: digitale tjenester sammen\n"
    "- 14.30 Slik søker dere om skjønnsmidler til innovasjon og fornying\n- 15.30 Slutt"
)
ROGALAND_DESCRIPTION_NN = (
    "Kva har kommunane lært av innovasjons- og fornyingsprosjekta dei har fått skjønsmidlar til? Vi høyrer om "
    "«Beboerlyst» og samskapingshuset i Stavanger, om innovasjonsfremjande innkjøp og om Digi Rogaland, der alle "
    "kommunane i fylket går saman om å utvikla gode digitale tenester.\n\n"
    "Samlinga er for prosjektleiarar, prosjekteigarar og andre som arbeider med innovasjon og fornying i kommunane."
)
ROGALAND_PROGRAMME_NN = (
    "- 09.30 Registrering og kaffi\n- 10.00 Velkomen\n- 10.15 Meir velferd og mindre administrasjon: kva er fornying?\n"
    "- 11.00 Erfaringar frå prosjekta i kommunane\n- 12.00 Lunsj\n- 13.00 Digi Rogaland: digitale tenester saman\n"
    "- 14.30 Slik søkjer de om skjønsmidlar til innovasjon og fornying\n- 15.30 Slutt"
)
ROGALAND_TEXTS = (ROGALAND_DESCRIPTION, ROGALAND_PROGRAMME, ROGALAND_DESCRIPTION_NN, ROGALAND_PROGRAMME_NN)
STAVANGER = ("Statsforvaltarens hus", "Lagårdsveien 44, 4010 Stavanger")
HAUGESUND = ("Scandic Maritim", "Åsbygata 3, 5528 Haugesund")
#: who came to the past round's gatherings in Stavanger and Haugesund (municipality numbers), the first most often
ROGALAND_HISTORY = {"stavanger": ["1103", "1108", "1124", "1120", "1121", "1119", "1127", "1101"],
                    "haugesund": ["1106", "1149", "1146", "1160", "1145", "1135"]}
ROGALAND_OTHERS = ["Rogaland fylkeskommune", "KS Rogaland", "Digi Rogaland"]


def _rogaland_round_texts(year: int, term: str) -> dict:
    return dict(title=f"Samlinger om innovasjon og fornying {TERM_WORDS[term]} {year}",
                title_nn=f"Samlingar om innovasjon og fornying {TERM_WORDS_NN[term]} {year}",
                intro="All fornying av offentlig sektor skal ha som mål å oppnå mer velferd og mindre "
                      "administrasjon, mer lokal frihet og mindre detaljstyring. Statsforvalteren inviterer "
                      "kommunene til samlinger om innovasjons- og fornyingsprosjekter: én i Stavanger og én i "
                      "Haugesund.",
                intro_nn="All fornying av offentleg sektor skal ha som mål å oppnå meir velferd og mindre "
                         "administrasjon, meir lokal fridom og mindre detaljstyring. Statsforvaltaren inviterer "
                         "kommunane til samlingar om innovasjons- og fornyingsprosjekt: éi i Stavanger og éi i "
                         "Haugesund.")


def _rogaland_office():
    """Rogaland's office (settings), made when missing; None where the first office is at /rogaland/ itself."""
    if db.session.scalar(select(Office.id).where(Office.slug == ROGALAND["slug"]),
                         execution_options={ALL_OFFICES: True}) is None:
        create_office(**ROGALAND)
        db.session.commit()
    known = offices()
    rogaland = known.by_slug(ROGALAND["slug"])
    if rogaland is None or rogaland.id == known.first.id:
        click.echo("the first office is at /rogaland/: no second demo office")
        return None
    return rogaland


def _rogaland() -> None:
    """Rogaland's demo, in the office in scope: its register, this round's three gatherings in Nynorsk and
    Bokmål, and one past round with attendance for the reach page."""
    today = oslo(utcnow()).date()
    importing.load(ROGALAND_FILE.read_bytes(), county="Rogaland")
    round_ = _round(*_term_of(today + timedelta(days=24)), texts=_rogaland_round_texts)
    term, term_nn, year = TERM_WORDS[round_.term], TERM_WORDS_NN[round_.term], round_.year
    prefix = f"rogaland-{year}-{round_.term}"
    _gathering(round_, f"{prefix}-stavanger", f"Samling i Stavanger {term} {year}",
               f"Samling i Stavanger {term_nn} {year}", "other", *STAVANGER, today + timedelta(days=24),
               today + timedelta(days=17), capacity=40, texts=ROGALAND_TEXTS)
    _gathering(round_, f"{prefix}-haugesund", f"Samling i Haugesund {term} {year}",
               f"Samling i Haugesund {term_nn} {year}", "other", *HAUGESUND, today + timedelta(days=31),
               today + timedelta(days=24), capacity=30, texts=ROGALAND_TEXTS)
    workshop, created = _gathering(round_, f"{prefix}-verkstad", "Verksted: søknad om skjønnsmidler",
                                   "Verkstad: søknad om skjønsmidlar", "other", *STAVANGER,
                                   today + timedelta(days=38), today + timedelta(days=31), capacity=4,
                                   texts=ROGALAND_TEXTS)
    if created:
        db.session.flush()
        for n in range(2):  # few seats left
            _demo_registration(workshop, n, "confirmed", ("Klepp kommune", "Haugesund kommune"), language="nn")
    db.session.commit()

    earlier = today - timedelta(days=200)
    past_round = _round(*_term_of(earlier), texts=_rogaland_round_texts)
    numbers = dict(db.session.execute(select(Municipality.number, Municipality.id)).all())
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    past_prefix = f"rogaland-{past_round.year}-{past_round.term}"
    for place, (venue, address), day in (("stavanger", STAVANGER, earlier),
                                         ("haugesund", HAUGESUND, earlier + timedelta(days=14))):
        gathering, _created = _gathering(
            past_round, f"{past_prefix}-{place}",
            f"Samling i {place.title()} {TERM_WORDS[past_round.term]} {past_round.year}",
            f"Samling i {place.title()} {TERM_WORDS_NN[past_round.term]} {past_round.year}", "other", venue,
            address, day, day - timedelta(days=7), capacity=14, texts=ROGALAND_TEXTS)
        db.session.flush()
        if not db.session.scalar(select(func.count()).where(Registration.gathering_id == gathering.id)):
            _past_registrations(gathering, ROGALAND_HISTORY[place], numbers, names, ROGALAND_OTHERS, "nn")
    db.session.commit()
    resolving.match_certain()


# --- each office's demo organiser and admin -------------------------------------------------------------------

#: (local part, name, admin?, password) of each office's demo accounts, at <slug>.example.no
FIRST_OFFICE_ACCOUNTS = (("arrangor", "Inga Arrangør", False, "nordlys over varangerfjorden"),
                         ("admin", "Aslak Admin", True, "nordlys over varangerfjorden"))
ROGALAND_ACCOUNTS = (("arrangor", "Solveig Skipar", False, "lyng og fjell ved lysefjorden"),
                     ("admin", "Tormod Admin", True, "lyng og fjell ved lysefjorden"))


def _accounts(office, accounts) -> list[tuple]:
    """The office's demo organiser and admin (the office in scope), made when missing; only in debug mode (or
    the tests): a known password is for a demo on one's own machine, never for a server."""
    if not (current_app.debug or current_app.testing):
        return []
    from .auth import service as accounts_service

    made = []
    for local, name, admin, password in accounts:
        email = f"{local}@{office.slug or 'kontor'}.example.no"
        user = db.session.scalar(select(User).where(User.email == email), execution_options={ALL_OFFICES: True})
        if user is None:
            user = accounts_service.create_user(email, name, admin=admin, password=password)
            record("user.create", user, f"{user.email} ({user.role}), demo account from seed-demo")
            db.session.commit()
        made.append((office, email, password, "admin" if admin else "organiser"))
    return made


def _print_offices(accounts) -> None:
    from .offices.settings import segment

    base = current_app.config["SAMLINGER_BASE_URL"].rstrip("/")
    known = offices()
    if known.several:
        click.echo(f"Offices: {base}/ lists them")
    for office in known.all:
        click.echo(f"  {office.name_in(office.default_language)}: {base}{segment(office)}/ "
                   f"({office.default_language}; offers {','.join(office.languages)})")
        for shown, email, password, role in accounts:
            if shown.id == office.id:
                click.echo(f"    {role:<9} {email}  password: {password}")
    if accounts:
        click.echo(f"Sign in at {base}/logg-inn (each account sees its own office only); the first sign-in sets "
                   "up the second factor: an authenticator app.")
    else:
        click.echo("No demo accounts outside debug mode: make them with create-user EMAIL --name NAME --office SLUG")
