"""The demo's second office: Statsforvaltaren i Rogaland at /rogaland/ (Nynorsk by default, Bokmål at /nb/rogaland/),
made with create_office when missing; its register with the municipalities' language decisions, this round's
gatherings in Nynorsk and Bokmål (the wording of the Rogaland pages the service grew from), and one past round
with attendance."""

from datetime import timedelta

import click
from sqlalchemy import func, select

from ..extensions import db
from ..municipalities import importing, resolving
from ..municipalities.models import Municipality
from ..offices.models import Office
from ..offices.registry import offices
from ..offices.scope import ALL_OFFICES
from ..offices.service import create_office
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
)

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
    "kommunane i fylket går saman om å utvikle gode digitale tenester.\n\n"
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


def office():
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


def seed() -> None:
    """Rogaland's demo, in the office in scope: its register, this round's three gatherings in Nynorsk and
    Bokmål, and one past round with attendance for the reach page."""
    today = oslo(utcnow()).date()
    importing.load(ROGALAND_FILE.read_bytes(), county="Rogaland")
    round_ = make_round(*term_of(today + timedelta(days=24)), texts=_rogaland_round_texts)
    term, term_nn, year = TERM_WORDS[round_.term], TERM_WORDS_NN[round_.term], round_.year
    prefix = f"rogaland-{year}-{round_.term}"
    make_gathering(round_, f"{prefix}-stavanger", f"Samling i Stavanger {term} {year}",
               f"Samling i Stavanger {term_nn} {year}", "other", *STAVANGER, today + timedelta(days=24),
               today + timedelta(days=17), capacity=40, texts=ROGALAND_TEXTS)
    make_gathering(round_, f"{prefix}-haugesund", f"Samling i Haugesund {term} {year}",
               f"Samling i Haugesund {term_nn} {year}", "other", *HAUGESUND, today + timedelta(days=31),
               today + timedelta(days=24), capacity=30, texts=ROGALAND_TEXTS)
    workshop, created = make_gathering(round_, f"{prefix}-verkstad", "Verksted: søknad om skjønnsmidler",
                                   "Verkstad: søknad om skjønsmidlar", "other", *STAVANGER,
                                   today + timedelta(days=38), today + timedelta(days=31), capacity=4,
                                   texts=ROGALAND_TEXTS)
    if created:
        db.session.flush()
        for n in range(2):  # few seats left
            demo_registration(workshop, n, "confirmed", ("Klepp kommune", "Haugesund kommune"), language="nn")
    db.session.commit()

    earlier = today - timedelta(days=200)
    past_round = make_round(*term_of(earlier), texts=_rogaland_round_texts)
    numbers = dict(db.session.execute(select(Municipality.number, Municipality.id)).all())
    names = dict(db.session.execute(select(Municipality.id, Municipality.name)).all())
    past_prefix = f"rogaland-{past_round.year}-{past_round.term}"
    for place, (venue, address), day in (("stavanger", STAVANGER, earlier),
                                         ("haugesund", HAUGESUND, earlier + timedelta(days=14))):
        gathering, _created = make_gathering(
            past_round, f"{past_prefix}-{place}",
            f"Samling i {place.title()} {TERM_WORDS[past_round.term]} {past_round.year}",
            f"Samling i {place.title()} {TERM_WORDS_NN[past_round.term]} {past_round.year}", "other", venue,
            address, day, day - timedelta(days=7), capacity=14, texts=ROGALAND_TEXTS)
        db.session.flush()
        if not db.session.scalar(select(func.count()).where(Registration.gathering_id == gathering.id)):
            past_registrations(gathering, ROGALAND_HISTORY[place], numbers, names, ROGALAND_OTHERS, "nn")
    db.session.commit()
    resolving.match_certain()
