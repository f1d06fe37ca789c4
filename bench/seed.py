"""Fill a database with ten years of a project network's gatherings, fast (bulk inserts).

    python bench/seed.py [--database URL] [--gatherings 200] [--registrations 20000]

The default database is a new SQLite file (WAL) in a temporary folder. The schema is built by the
migrations (`flask db upgrade`), the rows by SQLAlchemy bulk inserts through the app's own models.
"""

import argparse
import csv
import hashlib
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samlinger.documents.models import Document  # noqa: E402
from samlinger.extensions import db  # noqa: E402
from samlinger.gatherings.models import Gathering, Round  # noqa: E402
from samlinger.municipalities.importing import DEMO_FILE  # noqa: E402
from samlinger.municipalities.models import Municipality  # noqa: E402
from samlinger.registration.models import Registration  # noqa: E402
from samlinger.timeutil import oslo, oslo_to_utc, utcnow  # noqa: E402

#: The gathering that the registration POST of the benchmark writes to: open, no seat limit.
REGISTER_SLUG = "bench-open"
#: A gathering page as people see it before a gathering: description, programme, seats.
DETAIL_SLUG = "bench-detail"
#: The organiser the benchmark logs in as, to measure the reach page.
ORGANISER = ("bench@statsforvalteren.test", "benk med lang og trygg passordfrase")
#: Municipalities of the register (Finnmark) the registrations come from; the rest are never reached.
REACHED = 15

MUNICIPALITIES = ["Alta", "Vardø", "Hammerfest", "Vadsø", "Sør-Varanger", "Tromsø", "Harstad", "Senja",
                  "Nordreisa", "Lyngen", "Karasjok", "Kautokeino", "Porsanger", "Lebesby", "Gamvik"]
VENUES = [("Scandic Kirkenes", "Kongensgate 1–3, 9900 Kirkenes", "east"),
          ("Thon Hotel Alta", "Løkkeveien 61, 9510 Alta", "west"),
          ("Scandic Vadsø", "Oscarsgate 4, 9800 Vadsø", "east"),
          ("Clarion Hotel The Edge", "Kaigata 6, 9008 Tromsø", "west")]
DESCRIPTION = (
    "Vi jobber videre med prosjektarbeid i kommunene: fra idé og **prosjektplan** til gevinstrealisering.\n\n"
    "Samlingen er for prosjektledere, prosjekteiere og andre som arbeider med utviklingsprosjekter "
    "finansiert med skjønnsmidler. Ta gjerne med en kollega."
)
PROGRAMME = (
    "- 09:30 Registrering og kaffe\n- 10:00 Velkommen og runde rundt bordet\n"
    "- 10:30 Prosjektveiviseren i praksis\n- 12:00 Lunsj\n- 13:00 Erfaringer fra kommunene\n"
    "- 14:30 Gevinstrealisering og spredning\n- 15:30 Slutt"
)


@dataclass
class Seeded:
    gatherings: int = 0
    registrations: int = 0
    documents: int = 0
    #: gathering id -> number of registrations, for the exports the harness times
    export_gatherings: dict[int, int] = field(default_factory=dict)


def _weekday(day: date) -> date:
    while day.weekday() not in (1, 2, 3):
        day += timedelta(days=1)
    return day


def seed(gatherings: int = 200, registrations: int = 20_000, export_sizes=(1_000, 10_000),
         per_round: int = 10) -> Seeded:
    """Add *gatherings* over rounds of *per_round*, the last round upcoming, the rest spread over the
    past years; *registrations* in all, of which one past gathering per export size holds that many.

    Runs in the current app context and commits. Two of the upcoming gatherings are the benchmark's
    own (REGISTER_SLUG, DETAIL_SLUG).
    """
    today = oslo(utcnow()).date()
    office_id = _first_office()
    rounds = max(1, -(-gatherings // per_round))
    round_rows, gathering_rows = [], []
    # Seeding again adds to what is there (the statement-count test grows a database from 5 to 200).
    round_offset = db.session.scalar(select(func.max(Round.id))) or 0
    gathering_id = first_id = db.session.scalar(select(func.max(Gathering.id))) or 0
    own_slugs = not db.session.scalar(select(func.count()).where(Gathering.slug == REGISTER_SLUG))
    for r in range(rounds):
        # The last round starts a month from now; each earlier one half a year before the next.
        first_day = today + timedelta(days=30) - timedelta(days=182 * (rounds - 1 - r))
        year, term = first_day.year, "spring" if first_day.month <= 6 else "autumn"
        round_id = round_offset + r + 1
        words = "våren" if term == "spring" else "høsten"
        round_rows.append(dict(id=round_id, office_id=office_id, year=year, term=term, published=True,
                                title=f"Samlinger i Prosjektnettverket {words} {year} ({round_id})",
                                intro="Statsforvalteren inviterer kommunene til samling for prosjektnettverket."))
        for n in range(min(per_round, gatherings - (gathering_id - first_id))):
            gathering_id += 1
            day = _weekday(first_day + timedelta(days=7 * n))
            venue, address, region = VENUES[n % len(VENUES)]
            upcoming = r == rounds - 1
            slug = f"samling-{gathering_id}"
            if own_slugs and upcoming and n == 0:
                slug = REGISTER_SLUG
            elif own_slugs and upcoming and n == 1:
                slug = DETAIL_SLUG
            gathering_rows.append(dict(
                id=gathering_id, round_id=round_id, office_id=office_id, slug=slug,
                uid=f"bench-{gathering_id}@samlinger",
                title=f"Samling {gathering_id} i {venue.split()[-1]}", region=region, venue=venue,
                address=address, starts_at=oslo_to_utc(day, time(10, 0)), ends_at=oslo_to_utc(day, time(15, 30)),
                registration_deadline=day - timedelta(days=7),
                capacity=None if slug == REGISTER_SLUG else 60, waitlist_enabled=True,
                status="cancelled" if gathering_id % 37 == 0 else "published",
                description=DESCRIPTION, programme=PROGRAMME, revision=0,
                documents_visibility="public",
            ))
    db.session.execute(insert(Round), round_rows)
    db.session.execute(insert(Gathering), gathering_rows)
    municipality_ids = _register()[:REACHED]

    now = utcnow()
    past = [g for g in gathering_rows if g["ends_at"] < now]
    document_rows = [
        dict(gathering_id=g["id"], title=f"Presentasjon {k + 1}", speaker=f"{MUNICIPALITIES[k]} kommune",
             url=f"https://example.no/presentasjoner/{g['id']}-{k + 1}.pdf", position=k)
        for g in past for k in range(1 + g["id"] % 3)
    ]
    if document_rows:
        db.session.execute(insert(Document), document_rows)

    # The exports' gatherings first (the largest past ones), then the rest spread evenly.
    plan: list[tuple[int, int]] = []
    left = registrations
    seeded = Seeded(gatherings=len(gathering_rows), documents=len(document_rows))
    candidates = [g["id"] for g in reversed(past)]
    for size in sorted(export_sizes, reverse=True):
        if candidates and size <= left:
            gid = candidates.pop(0)
            plan.append((gid, size))
            seeded.export_gatherings[gid] = size
            left -= size
    others = [g["id"] for g in gathering_rows if g["id"] not in seeded.export_gatherings]
    for i, gid in enumerate(others):
        share = left // len(others) + (1 if i < left % len(others) else 0)
        if share:
            plan.append((gid, share))

    number = 0
    batch = []
    starts = {g["id"]: g["starts_at"] for g in gathering_rows}
    for gid, count in plan:
        for k in range(count):
            number += 1
            place = MUNICIPALITIES[number % len(MUNICIPALITIES)]
            email = f"deltaker{number}-{gid}@{place.lower().replace('ø', 'o').replace('-', '')}.kommune.no"
            status = "confirmed" if k < 60 or gid in seeded.export_gatherings else "waitlisted"
            if status == "confirmed" and number % 11 == 0 and gid not in seeded.export_gatherings:
                status = "cancelled"
            # For the reach page: a municipality of the register (every 12th another organisation), and
            # most confirmed participants of past gatherings checked in.
            municipality_id = municipality_ids[number % len(municipality_ids)] if number % 12 else None
            arrived = status == "confirmed" and starts[gid] < now and number % 6 != 0
            batch.append(dict(
                gathering_id=gid, status=status,
                name=f"Deltaker {number}", email=email, email_normalized=email, organisation=f"{place} kommune",
                municipality_id=municipality_id, unmatched=False,
                role="Prosjektleder", phone="912 34 567", needs="Vegetar" if number % 7 == 0 else "",
                answers={}, language="nb",
                manage_token_hash=hashlib.sha256(f"bench-{gid}-{number}".encode()).hexdigest(),
                created_at=now, updated_at=now, confirmed_at=now, added_by_organiser=False,
                checked_in_at=starts[gid] if arrived else None,
                cancelled_at=now if status == "cancelled" else None,
            ))
            if len(batch) == 5_000:
                db.session.execute(insert(Registration), batch)
                batch.clear()
    if batch:
        db.session.execute(insert(Registration), batch)
    seeded.registrations = number
    db.session.commit()
    return seeded


def _first_office() -> int:
    """The office the seeded rounds, gatherings and register belong to (bulk inserts name it themselves)."""
    from samlinger.offices.models import Office

    return db.session.scalar(select(Office.id).order_by(Office.id).limit(1))


def _register() -> list[int]:
    """The Finnmark municipalities (inserted once, from the demo file), their ids in number order."""
    if not db.session.scalar(select(func.count()).select_from(Municipality)):
        with DEMO_FILE.open(encoding="utf-8") as handle:
            rows = [dict(office_id=_first_office(), number=row["number"], name=row["name"], sami_name=row["sami_name"],
                         language_decision=row["language_decision"], sami_area=row["sami_area"] == "yes",
                         active=True, county="Finnmark") for row in csv.DictReader(handle)]
        db.session.execute(insert(Municipality), rows)
    return list(db.session.scalars(select(Municipality.id).order_by(Municipality.number)))


def add_organiser() -> None:
    """The account the benchmark logs in with to read the reach page."""
    from samlinger.auth.models import User

    email, password = ORGANISER
    if db.session.scalar(select(func.count()).where(User.email == email)):
        return
    user = User(email=email, name="Bench Arrangør", role="organiser", active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()


def sqlite_url(folder: str) -> str:
    return f"sqlite:///{Path(folder) / 'bench.sqlite'}"


def prepare(database_url: str, **sizes) -> Seeded:
    """Build the schema with the migrations and seed it; the database must be empty."""
    from flask_migrate import upgrade

    from samlinger import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-seeding"})
    with app.app_context():
        upgrade()
        seeded = seed(**sizes)
        add_organiser()
        db.session.remove()
        settle(db.engine)
        db.engine.dispose()
    return seeded


def settle(engine) -> None:
    """Statistics and visibility up to date before measuring, so that PostgreSQL's autovacuum does not
    start on the freshly seeded tables in the middle of a run: the endpoints measured last were slower,
    whichever they were."""
    from sqlalchemy import text

    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLAlchemy URL of an empty database (default: SQLite in a temp dir)")
    parser.add_argument("--gatherings", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=20_000)
    args = parser.parse_args()
    url = args.database or sqlite_url(tempfile.mkdtemp(prefix="samlinger-bench-"))
    seeded = prepare(url, gatherings=args.gatherings, registrations=args.registrations)
    print(f"{url}: {seeded.gatherings} gatherings, {seeded.registrations} registrations, "
          f"{seeded.documents} documents")


if __name__ == "__main__":
    main()
