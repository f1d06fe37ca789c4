"""The first office's demo (Statsforvalteren i Finnmark in `make run`): the Finnmark register, this round's five
gatherings (one hybrid, one sharing its seats between municipalities, one full, one past its deadline), six past
rounds with attendance for the reach page, and evaluations with answers."""

import random
from datetime import date, timedelta

from sqlalchemy import func, select

from ..documents.models import Document
from ..extensions import db
from ..gatherings.models import Gathering, Round
from ..municipalities import importing, resolving
from ..municipalities.models import Municipality
from ..online.models import VideoLink
from ..registration.models import Registration
from ..timeutil import oslo, utcnow
from .common import (
    TERM_WORDS,
    TERM_WORDS_NN,
    demo_registration,
    make_gathering,
    make_round,
    past_registrations,
    term_of,
    terms_before,
)


def _finnmark_round_texts(year: int, term: str) -> dict:
    return dict(title=f"Samlinger i Prosjektnettverket {TERM_WORDS[term]} {year}",
                title_nn=f"Samlingar i Prosjektnettverket {TERM_WORDS_NN[term]} {year}",
                intro="Har du lyst til å lære mer om prosjektarbeid? Skal du lede et prosjekt i kommunal "
                      "regi? Statsforvalteren inviterer kommunene til samling for prosjektnettverket. "
                      "Det blir to samlinger, én i øst og én i vest.",
                intro_nn="Har du lyst til å lære meir om prosjektarbeid? Skal du leie eit prosjekt i "
                         "kommunal regi? Statsforvaltaren inviterer kommunane til samling for "
                         "prosjektnettverket. Det blir to samlingar, éi i aust og éi i vest.")


def _round(year: int, term: str) -> Round:
    return make_round(year, term, _finnmark_round_texts)


#: the demo's video meeting: a made-up Teams-like address on example.org
DEMO_VIDEO_LINK = "https://teams.example.org/l/meetup-join/19%3ameeting_demo-hybrid%40thread.v2/0"

#: who comes to the east and the west gatherings of the demo's past rounds (municipality numbers), the first ones
#: most often; Loppa, Hasvik, Måsøy, Gamvik and Berlevåg never come, so the reach page has gaps to show
HISTORY_EAST = ["5607", "5605", "5634", "5628", "5636", "5632"]
HISTORY_WEST = ["5601", "5603", "5610", "5612", "5622", "5620", "5624"]
HISTORY_OTHERS = ["KS Finnmark", "Finnmarkssykehuset", "Sametinget"]
#: past rounds for the reach page: three years
HISTORY_TERMS = 6


def _history(current: Round) -> None:
    """Six past rounds, east and west, with attendance, no-shows, waiting lists and withdrawals from Finnmark
    municipalities, reaching a few more municipalities each year; one gathering the organisers cancelled.
    Each gathering gets its registrations once (when it has none), the same every time: the random numbers
    are seeded by the gathering's slug."""
    numbers = dict(db.session.execute(select(Municipality.number, Municipality.id)).all())
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    for age, (year, term) in enumerate(terms_before(current.year, current.term, HISTORY_TERMS)):
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
            gathering, _created = make_gathering(round_, slug, title, title_nn, region, venue, address, day,
                                             day - timedelta(days=7), capacity=14)
            if status == "cancelled" and gathering.status != "cancelled":
                gathering.status, gathering.cancel_reason = "cancelled", "For få påmeldte."
            db.session.flush()
            if db.session.scalar(select(func.count()).where(Registration.gathering_id == gathering.id)):
                continue
            past_registrations(gathering, places[region], numbers, names, HISTORY_OTHERS)


def seed() -> None:
    """The first office's demo: Finnmark's register, this round's five gatherings, six past rounds, evaluations."""
    today = oslo(utcnow()).date()
    round_ = _round(*term_of(today + timedelta(days=21)))
    term, term_nn = TERM_WORDS[round_.term], TERM_WORDS_NN[round_.term]
    make_gathering(round_, f"{round_.year}-{round_.term}-ost", f"Samling i øst {term} {round_.year}",
               f"Samling i aust {term_nn} {round_.year}", "east", "Scandic Kirkenes", "Kongensgate 1–3, 9900 Kirkenes",
               today + timedelta(days=21), today + timedelta(days=14))
    west, created = make_gathering(round_, f"{round_.year}-{round_.term}-vest", f"Samling i vest {term} {round_.year}",
                               f"Samling i vest {term_nn} {round_.year}", "west", "Thon Hotel Alta",
                               "Løkkeveien 61, 9510 Alta", today + timedelta(days=28), today + timedelta(days=21))
    if created:  # seats shared: at most 3 per municipality, 5 kept for new municipalities for a week
        west.per_municipality_limit, west.held_seats, west.held_until = 3, 5, today + timedelta(days=14)
    make_gathering(round_, f"{round_.year}-{round_.term}-frist-ute", "Frokostmøte om gevinstrealisering", None,
               "other", "Statsforvalterens hus", "Damsveien 1, 9815 Vadsø",
               today + timedelta(days=5), today - timedelta(days=1))
    full, created = make_gathering(round_, f"{round_.year}-{round_.term}-verksted", "Verksted: prosjektplanen",
                               "Verkstad: prosjektplanen", "east", "Vadsø rådhus", "Rådhusgata 1, 9800 Vadsø",
                               today + timedelta(days=35), today + timedelta(days=28), capacity=3)
    if created:
        db.session.flush()
        for n, status in enumerate(["confirmed"] * 3 + ["waitlisted"]):
            demo_registration(full, n, status)
    hybrid, created = make_gathering(round_, f"{round_.year}-{round_.term}-hybrid",
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
    past_round = _round(*term_of(earlier))
    past, created = make_gathering(past_round, f"{past_round.year}-{past_round.term}-ost",
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
    from ..evaluations import service as evaluations
    from ..evaluations.models import new_token

    year, term = next(terms_before(current.year, current.term, 1))
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
    from ..evaluations.models import EvaluationInvitation

    return list(db.session.scalars(select(EvaluationInvitation).where(
        EvaluationInvitation.evaluation_id == evaluation_id)))
