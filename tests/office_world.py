"""Two offices with something of everything, for the isolation tests (tests/test_office_isolation.py).

Each office is built the way its organisers would fill it, inside its own scope (`scope.use_office`): a round,
an on-site gathering, a hybrid one with a video link and a past one with presentations and an evaluation
(questions, invitations, an answer), registrations matched to the office's register and one not matched,
a question, a mailing, accounts (an organiser and an admin) and audit entries. Every text of an office
holds its marker ("Vardo" for the first, "Sandnes" for the second), so one word tells whether anything of an
office is in an answer.
"""

import html
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

from sqlalchemy import and_, or_, select

from samlinger.audit.service import record
from samlinger.documents import service as documents
from samlinger.evaluations import service as evaluations
from samlinger.evaluations.models import new_token
from samlinger.extensions import db
from samlinger.gatherings.models import Round
from samlinger.messaging.service import send_message
from samlinger.municipalities.models import Municipality
from samlinger.municipalities.resolving import _key as unmatched_key
from samlinger.offices import scope
from samlinger.offices.registry import offices
from samlinger.offices.service import create_office
from samlinger.online.service import set_video_link
from samlinger.questions.service import save_question
from samlinger.registration import service as registrations
from samlinger.timeutil import oslo_today

from . import factories

SECOND_SLUG = "rogaland"


@dataclass
class Built:
    """What the walk knows of one office: its address segment, the ids of its objects by kind, its public
    slugs and link tokens, its mailing batches, its accounts, and the marker every text of it holds."""

    slug: str
    office_id: int
    marker: str
    ids: dict = field(default_factory=dict)
    slugs: list = field(default_factory=list)
    manage_tokens: list = field(default_factory=list)
    evaluation_tokens: list = field(default_factory=list)
    batches: list = field(default_factory=list)
    unmatched_key: str = ""
    municipality_number: str = ""
    organiser: str = ""
    admin: str = ""

    @property
    def prefix(self) -> str:
        return "/" + self.slug


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% {marker}\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def build(app, settings, marker: str, numbers: tuple[str, str]) -> Built:
    """Fill the office *settings* with its objects, every text holding *marker*."""
    low = marker.lower()
    today = oslo_today()
    made = Built(slug=settings.slug, office_id=settings.id, marker=marker)
    with app.test_request_context(method="POST"), scope.use_office(settings):
        home = Municipality(number=numbers[0], name=marker, language_decision="bokmal")
        far = Municipality(number=numbers[1], name=f"{marker}-Nord", language_decision="nynorsk")
        db.session.add_all([home, far])
        round_ = Round(year=today.year + 1, term="spring", title=f"Samlinger i {marker}-nettverket",
                       intro=f"Om {marker}-nettverket", published=True)
        db.session.add(round_)
        db.session.commit()
        place = dict(venue=f"{marker} kulturhus", address=f"{marker}gata 1")
        on_site = factories.gathering(round=round_, slug=f"{low}-fysisk", title=f"{marker} fysisk samling", **place)
        hybrid = factories.gathering(round=round_, slug=f"{low}-hybrid", title=f"{marker} hybridsamling",
                                     mode="hybrid", online_capacity=10, **place)
        day = today - timedelta(days=2)
        past = factories.gathering(round=round_, slug=f"{low}-tidligere", title=f"{marker} samling som var",
                                   day=day, registration_deadline=day - timedelta(days=7), **place)
        question = save_question(None, on_site, label=f"{marker}: allergier?", kind="text", choices=[],
                                 required=False)
        person = dict(organisation=f"{marker} kommune", language="nb")
        first = factories.registration(on_site.id, email=f"vera@{low}.kommune.no", name=f"Vera {marker}-Deltaker",
                                       **person)
        unmatched = factories.registration(on_site.id, email=f"una@{low}-konsult.no", name=f"Una {marker}-Konsulent",
                                           organisation=f"{marker} Konsult og Bedrift AS")
        online = registrations.register(hybrid.id, {"name": f"Otto {marker}-Nett", "organisation": f"{marker} kommune"},
                                        email=f"otto@{low}.kommune.no", language="nb", mode="online").registration
        attended = factories.registration_row(past.id, email=f"arne@{low}.kommune.no", name=f"Arne {marker}-Oppmott",
                                              organisation=f"{marker} kommune", municipality_id=home.id,
                                              checked_in_at=past.starts_at)
        set_video_link(hybrid.id, f"https://video.example/{low}-hemmelig", meeting_id=f"{low}-mote",
                       passcode=f"{low}-kode")
        paper = documents.add_file(past, filename=f"{low}.pdf", data=PDF.replace(b"{marker}", marker.encode()),
                                   title=f"{marker} lysark", speaker=f"{marker} Foredragsholder")
        link = documents.add_link(on_site, url=f"https://slides.example/{low}", title=f"{marker} lenke",
                                  speaker=f"{marker} Taler")
        evaluation = evaluations.create(db.session.get(type(past), past.id))
        asked = evaluations.add_question(evaluation, label=f"{marker}-evalueringssporsmal", kind="text", choices=[],
                                         required=False)
        evaluation_id = evaluation.id
        evaluations.open_evaluation(evaluation_id)
        token = new_token(evaluation_id)
        evaluations.answer(token, {asked.key: f"{marker}-svar"})
        batch, _count = send_message(db.session.get(type(on_site), on_site.id), [on_site.id], "all",
                                     f"{marker}-melding", f"Hei fra {marker}")
        organiser = factories.user(f"ola@{low}.statsforvalteren.test", name=f"Ola {marker}-Arrangor")
        admin = factories.user(f"ada@{low}.statsforvalteren.test", name=f"Ada {marker}-Admin", role="admin")
        record("test.note", on_site, f"{marker} revisjonsspor")
        db.session.commit()
        evaluation_questions = [q.id for q in db.session.get(type(evaluation), evaluation_id).questions]
        made.ids = {
            "gathering": [on_site.id, hybrid.id, past.id], "round": [round_.id],
            "registration": [first.id, unmatched.id, online.id, attended.id],
            "document": [paper.id, link.id], "question": [question.id],
            "evaluation_question": evaluation_questions, "user": [organiser.id, admin.id],
            "municipality": [home.id, far.id],
        }
        made.slugs = [on_site.slug, hybrid.slug, past.slug]
        made.manage_tokens = [db.session.get(type(first), rid).manage_token()
                              for rid in (first.id, online.id, attended.id)]
        made.evaluation_tokens = [token, new_token(evaluation_id)]
        made.batches = [batch]
        made.unmatched_key = unmatched_key(unmatched.organisation)
        made.municipality_number = home.number
        made.organiser, made.admin = organiser.email, admin.email
        db.session.remove()
    return made


def two_offices(app) -> tuple[Built, Built]:
    """The first office (made with the database) and a second, Nynorsk by default, each filled by `build`."""
    with app.app_context():
        create_office(SECOND_SLUG, "Statsforvalteren i Rogaland", names={"nn": "Statsforvaltaren i Rogaland"},
                      default_language="nn", languages=("nn", "nb", "en"), reply_to="samling@rogaland.no")
        db.session.commit()
        first, second = offices().all
        db.session.remove()
    return (build(app, first, "Vardo", ("5634", "5636")), build(app, second, "Sandnes", ("1108", "1101")))


# --- what of an office is in the database -----------------------------------------------------------------

#: the audit log names an object by table and id: an entry about another office's object is about that office
_OBJECT_KINDS = ("gathering", "round", "registration", "document", "question", "user_account", "municipality")


def rows_of(office_id: int) -> dict[str, list]:
    """Every row of the office, table by table, read with Core on a connection of its own (past the ORM and its
    filter): a row is the office's by its office, its gathering, its evaluation, its registration or its account,
    and an audit entry also by the object it names."""
    tables = db.metadata.tables
    ids = {
        "office": select(tables["office"].c.id).where(tables["office"].c.id == office_id),
        "gathering": select(tables["gathering"].c.id).where(tables["gathering"].c.office_id == office_id),
        "round": select(tables["round"].c.id).where(tables["round"].c.office_id == office_id),
        "user_account": select(tables["user_account"].c.id).where(tables["user_account"].c.office_id == office_id),
        "municipality": select(tables["municipality"].c.id).where(tables["municipality"].c.office_id == office_id),
    }
    for kind in ("registration", "evaluation", "document", "question"):
        ids[kind] = select(tables[kind].c.id).where(tables[kind].c.gathering_id.in_(ids["gathering"]))
    owners = {"office_id": "office", "gathering_id": "gathering", "evaluation_id": "evaluation",
              "registration_id": "registration", "user_id": "user_account", "round_id": "round",
              "municipality_id": "municipality"}
    found = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            if table.name == "content_version":
                continue  # one counter, no office's
            clauses = [table.c.id == office_id] if table.name == "office" else []
            clauses += [table.c[column].in_(ids[kind]) for column, kind in owners.items()
                        if column in table.c and kind in ids and table.name != "office"]
            if table.name == "audit_entry":
                clauses += [and_(table.c.object_type == kind, table.c.object_id.in_(ids[kind]))
                            for kind in _OBJECT_KINDS]
            assert clauses, f"rows_of() does not know which rows of {table.name} belong to an office: teach it"
            rows = connection.execute(select(table).where(or_(*clauses))).all()
            found[table.name] = sorted(repr(tuple(row)) for row in rows)
    return found


# --- what a reader sees, and what is in the database -------------------------------------------------------

def readable(response) -> str:
    """What a reader of the answer sees, lower case: the page, an export (an XLSX's XML), a feed (ICS lines
    unfolded), the JSON, and where a redirect or download points."""
    data = response.get_data()
    if data[:2] == b"PK":
        with zipfile.ZipFile(BytesIO(data)) as workbook:
            text = " ".join(workbook.read(name).decode("utf-8", "replace") for name in workbook.namelist())
    else:
        text = data.decode("utf-8", "replace")
    text = text.replace("\r\n ", "").replace("\n ", "")
    text += " " + response.headers.get("Location", "") + " " + response.headers.get("Content-Disposition", "")
    return html.unescape(text).lower()


def snapshot(app, office: "Built") -> dict:
    with app.app_context():
        return rows_of(office.office_id)


def national_admin(app) -> str:
    with app.app_context():
        user = factories.user("nasjonal@statsforvalteren.test", name="Nina Nasjonal")
        user.is_national_admin, user.office_id = True, None
        db.session.commit()
        return user.email
