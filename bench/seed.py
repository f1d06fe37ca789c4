"""Fill a database with ten years of a project network's gatherings, fast (bulk inserts), for each of two offices.

    python bench/seed.py [--database URL] [--gatherings 200] [--registrations 20000] [--offices 2]

Each office gets the same: *gatherings* over ten years, *registrations*, documents, its own register (the first
office Finnmark's, the second Rogaland's). The first office is the installation's own (Statsforvalteren i
Finnmark, at /finnmark/); the second, Statsforvaltaren i Rogaland at /rogaland/ (Nynorsk by default), is made
with `create_office` as an operator would.

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
from samlinger.municipalities.importing import DATA, DEMO_FILE  # noqa: E402
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


@dataclass(frozen=True)
class BenchOffice:
    """An office the benchmark seeds and measures."""

    slug: str
    #: the other Norwegian standard, read at /<other>/<slug>/… (the office's own is at /<slug>/…)
    other: str
    register: Path
    county: str
    #: create_office's arguments for an office after the first (the first comes from the settings)
    create: dict | None = None
    #: what the benchmark's registrations write as their organisation: a municipality of the office's register
    organisation: str = "Alta kommune"

    @property
    def first(self) -> bool:
        return self.create is None

    def slug_of(self, own: str) -> str:
        """The benchmark's own gathering *own* (REGISTER_SLUG, DETAIL_SLUG) in this office: slugs are unique in
        the installation, so the second office's are "rogaland-bench-open"…"""
        return own if self.first else f"{self.slug}-{own}"

    def path(self, path: str, language: str = "") -> str:
        """*path* of this office's section, in *language* ("" = its default)."""
        return (f"/{language}" if language else "") + f"/{self.slug}" + path


#: the settings that make the first office Statsforvalteren i Finnmark at /finnmark/ (read at `flask db upgrade`)
FIRST_OFFICE_SETTINGS = {"SAMLINGER_OFFICE_NAME": "Statsforvalteren i Finnmark", "SAMLINGER_OFFICE_SLUG": "finnmark"}
OFFICES = (
    BenchOffice("finnmark", "nn", DEMO_FILE, "Finnmark"),
    BenchOffice("rogaland", "nb", DATA / "municipalities-rogaland.csv", "Rogaland", create=dict(
        name="Statsforvalteren i Rogaland",
        names={"nn": "Statsforvaltaren i Rogaland", "en": "The County Governor of Rogaland"},
        default_language="nn", languages=("nn", "nb", "en")), organisation="Stavanger kommune"),
)

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
         per_round: int = 10, office: BenchOffice = OFFICES[0]) -> Seeded:
    """Add *gatherings* over rounds of *per_round* to *office* (made when missing), the last round upcoming, the
    rest spread over the past years; *registrations* in all, of which one past gathering per export size holds
    that many.

    Runs in the current app context and commits. Two of the upcoming gatherings are the benchmark's
    own (office.slug_of(REGISTER_SLUG), office.slug_of(DETAIL_SLUG)).
    """
    today = oslo(utcnow()).date()
    office_id = _office(office)
    register_slug, detail_slug = office.slug_of(REGISTER_SLUG), office.slug_of(DETAIL_SLUG)
    rounds = max(1, -(-gatherings // per_round))
    round_rows, gathering_rows = [], []
    # Seeding again adds to what is there (the statement-count test grows a database from 5 to 200).
    round_offset = db.session.scalar(select(func.max(Round.id))) or 0
    gathering_id = first_id = db.session.scalar(select(func.max(Gathering.id))) or 0
    own_slugs = not db.session.scalar(select(func.count()).where(Gathering.slug == register_slug))
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
                slug = register_slug
            elif own_slugs and upcoming and n == 1:
                slug = detail_slug
            gathering_rows.append(dict(
                id=gathering_id, round_id=round_id, office_id=office_id, slug=slug,
                uid=f"bench-{gathering_id}@samlinger",
                title=f"Samling {gathering_id} i {venue.split()[-1]}", region=region, venue=venue,
                address=address, starts_at=oslo_to_utc(day, time(10, 0)), ends_at=oslo_to_utc(day, time(15, 30)),
                registration_deadline=day - timedelta(days=7),
                capacity=None if slug == register_slug else 60, waitlist_enabled=True,
                status="cancelled" if gathering_id % 37 == 0 else "published",
                description=DESCRIPTION, programme=PROGRAMME, revision=0,
                documents_visibility="public",
            ))
    db.session.execute(insert(Round), round_rows)
    db.session.execute(insert(Gathering), gathering_rows)
    municipality_ids = _register(office, office_id)[:REACHED]

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


def _office(office: BenchOffice) -> int:
    """The id of *office*: the first one the installation has, or the one at its slug (made when missing). Bulk
    inserts name their office themselves: the scope's filter (offices/scope.py) sees only ORM statements."""
    from samlinger.offices.models import Office
    from samlinger.offices.service import create_office

    if office.first:
        return db.session.scalar(select(Office.id).order_by(Office.id).limit(1))
    found = db.session.scalar(select(Office.id).where(Office.slug == office.slug))
    if found is None:
        found = create_office(office.slug, **office.create)
        db.session.commit()
        found = found.id
    return found


def _register(office: BenchOffice, office_id: int) -> list[int]:
    """The office's municipalities (inserted once, from its county's file), their ids in number order."""
    mine = Municipality.office_id == office_id
    if not db.session.scalar(select(func.count()).where(mine)):
        with office.register.open(encoding="utf-8") as handle:
            rows = [dict(office_id=office_id, number=row["number"], name=row["name"],
                         sami_name=row.get("sami_name") or "", language_decision=_decision(row["language_decision"]),
                         sami_area=row.get("sami_area") == "yes", active=True, county=office.county)
                    for row in csv.DictReader(handle)]
        db.session.execute(insert(Municipality), rows)
    return list(db.session.scalars(select(Municipality.id).where(mine).order_by(Municipality.number)))


def _decision(word: str) -> str:
    from samlinger.municipalities.importing import LANGUAGE_WORDS

    return LANGUAGE_WORDS[word.lower()]


def add_organiser() -> None:
    """The account the benchmark logs in with to read the reach page: an organiser of the first office."""
    from samlinger.auth.models import User

    email, password = ORGANISER
    if db.session.scalar(select(func.count()).where(User.email == email)):
        return
    user = User(email=email, name="Bench Arrangør", role="organiser", active=True, office_id=_office(OFFICES[0]))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()


def sqlite_url(folder: str) -> str:
    return f"sqlite:///{Path(folder) / 'bench.sqlite'}"


def prepare(database_url: str, offices: int = len(OFFICES), **sizes) -> Seeded:
    """Build the schema with the migrations and seed the first *offices* of OFFICES, each with *sizes*; the
    database must be empty. Returns the first office's figures (its exports are the ones timed)."""
    from flask_migrate import upgrade

    from samlinger import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench-seeding", **FIRST_OFFICE_SETTINGS})
    with app.app_context():
        upgrade()
        seeded = seed(**sizes)
        for office in OFFICES[1:offices]:
            seed(**sizes, office=office)
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
    parser.add_argument("--offices", type=int, choices=range(1, len(OFFICES) + 1), default=len(OFFICES))
    args = parser.parse_args()
    url = args.database or sqlite_url(tempfile.mkdtemp(prefix="samlinger-bench-"))
    seeded = prepare(url, offices=args.offices, gatherings=args.gatherings, registrations=args.registrations)
    print(f"{url}: {args.offices} offices, each {seeded.gatherings} gatherings, {seeded.registrations} "
          f"registrations, {seeded.documents} documents")


if __name__ == "__main__":
    main()
