"""The evaluation after a gathering: who is invited, the personal link (once, unguessable, stored nowhere),
answers that cannot be joined to a person, one reminder to everyone also under concurrent runs, results that hide
small groups, and the workspace pages. tests/test_evaluation_anonymity.py reads the database as an operator
would."""

import base64
import re
from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import inspect, select, text

from samlinger import tokens
from samlinger.documents.notify import send_documents_ready
from samlinger.evaluations import service
from samlinger.evaluations.models import LINK_SALT, Evaluation, EvaluationAnswer, EvaluationInvitation, new_token
from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.timeutil import oslo_today, utcnow

from . import factories
from .conftest import csrf_token, text_part
from .races import all_at_once
from .test_manage_links import database_text

LINK = re.compile(r"http://samlinger\.test((?:/nn|/en|/se)?/evaluering/[A-Za-z0-9_.-]+)")


def past_gathering(app, *, attended=3, others=True, language="nb", days_ago=2) -> int:
    """A gathering that ended *days_ago* days ago: *attended* checked in; with *others* also a no-show, someone
    on the waiting list, a cancelled registration and a walk-in without an address."""
    with app.app_context():
        day = oslo_today() - timedelta(days=days_ago)
        g = factories.gathering(day=day, registration_deadline=day - timedelta(days=7))
        for n in range(attended):
            factories.registration_row(g.id, email=f"p{n}@alta.kommune.no", name=f"Person {n}", language=language,
                                       checked_in_at=g.starts_at)
        if others:
            factories.registration_row(g.id, email="noshow@alta.kommune.no")
            factories.registration_row(g.id, email="venter@alta.kommune.no", status="waitlisted")
            factories.registration_row(g.id, email="avmeldt@alta.kommune.no", status="cancelled",
                                       checked_in_at=g.starts_at)
            factories.registration_row(g.id, email="", email_normalized="no-address-x", walk_in=True,
                                       checked_in_at=g.starts_at)
        return g.id


def open_evaluation(app, gathering_id, **settings) -> int:
    with app.app_context():
        evaluation = service.create(db.session.get(factories.Gathering, gathering_id))
        for key, value in settings.items():
            setattr(evaluation, key, value)
        db.session.commit()
        service.open_evaluation(evaluation.id)
        return evaluation.id


def links(smtp) -> dict[str, str]:
    found = {}
    for message in smtp.messages:
        match = LINK.search(text_part(message))
        if match:
            found[message["To"]] = match.group(1)
    return found


def answer(client, link, **fields):
    html = client.get(link).get_data(as_text=True)
    names = re.findall(r'name="(q_\d+)"', html)
    data = {"csrf_token": csrf_token(client, link)}
    values = list(fields.values()) or ["4", "5", "Mer tid til spørsmål", "Gevinstrealisering"]
    data.update(dict(zip(dict.fromkeys(names), values, strict=False)))
    return client.post(link, data=data)


def test_only_those_who_attended_with_an_address_are_invited_in_their_language(app, smtp, deliver):
    gid = past_gathering(app, attended=2, language="nn")
    open_evaluation(app, gid)
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationInvitation)) == 2
    assert deliver() == 2
    found = links(smtp)
    assert set(found) == {"p0@alta.kommune.no", "p1@alta.kommune.no"}
    assert all(link.startswith("/nn/evaluering/") for link in found.values())
    body = text_part(smtp.messages[0])
    assert "anonyme" in body and "Hei, Person" in body, body


def test_the_link_works_once_and_is_stored_nowhere(app, client, smtp, deliver):
    gid = past_gathering(app, attended=3, others=False)
    open_evaluation(app, gid)
    queued = database_text(app)
    deliver()
    link = links(smtp)["p0@alta.kommune.no"]
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        evaluation_id, nonce = tokens.unsign_random(token, salt=LINK_SALT)
        assert evaluation_id == db.session.scalar(select(Evaluation.id)), "the link names its evaluation"
    assert len(base64.urlsafe_b64decode(nonce + "==")) == 16, "and 128 random bits, signed"
    assert token not in queued and token not in database_text(app), "no usable link in any table"
    assert "/evaluering/…" in database_text(app), "the kept copy has the token redacted"

    page = client.get(link).get_data(as_text=True)
    assert "anonym" in page and 'type="radio"' in page and "<legend>" in page
    assert answer(client, link).status_code == 302
    again = client.get(link)
    assert again.status_code == 200 and "Takk for svarene" in again.get_data(as_text=True)
    # The form sent a second time (opened before the first answer) is not stored again.
    with app.app_context():
        evaluation_id = db.session.scalar(select(Evaluation.id))
        names = [f"q_{q.id}" for q in db.session.get(Evaluation, evaluation_id).questions]
    client.post(link, data={"csrf_token": csrf_token(client, "/logg-inn"), names[0]: "1"})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationAnswer)) == 1
    assert client.get("/evaluering/" + "A" * 48).status_code == 404
    forged = ("X" if token[0] != "X" else "Y") + token[1:]
    assert client.get("/evaluering/" + forged).status_code == 404, "the signature is checked"
    nn404 = client.get("/nn/evaluering/ukjent")
    assert nn404.status_code == 404 and 'lang="nn"' in nn404.get_data(as_text=True)


def _spellings(token: str) -> list[str]:
    """Other texts that pass the link's signature: the signature's last character differs only in the bits
    base64 leaves over (a signature of 20 bytes takes 27 characters, 162 bits)."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(token[-1])
    return [token[:-1] + alphabet[last & ~3 | spare] for spare in range(4) if last & ~3 | spare != last]


def test_another_spelling_of_a_used_link_does_not_answer_again(app, client):
    """Several texts pass one link's signature: the answer is keyed on what the link carries, not on its text,
    so none of them answers a second time."""
    gid = past_gathering(app, attended=1, others=False)
    open_evaluation(app, gid)
    with app.app_context():
        token = new_token(db.session.scalar(select(Evaluation.id)))
        spellings = _spellings(token)
        assert all(tokens.unsign_random(s, salt=LINK_SALT) == tokens.unsign_random(token, salt=LINK_SALT)
                   for s in spellings), "the spellings pass the signature"
        service.answer(token, {"x": 1})
        for spelling in spellings:
            with pytest.raises(service.Refused) as refused:
                service.answer(spelling, {"x": 5})
            assert refused.value.code == service.ANSWERED
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationAnswer)) == 1
    for spelling in spellings:
        assert "Takk for svarene" in client.get(f"/evaluering/{spelling}").get_data(as_text=True)


def test_two_submissions_at_once_store_one_answer(app):
    gid = past_gathering(app, attended=1, others=False)
    open_evaluation(app, gid)
    with app.app_context():
        token = new_token(db.session.scalar(select(Evaluation.id)))

    def run(_, ready):
        with app.app_context():
            ready()
            try:
                service.answer(token, {"x": 1})
                return "ok"
            except service.Refused as refused:
                return refused.code
            finally:
                db.session.remove()

    assert sorted(all_at_once(run, range(4))) == ["answered"] * 3 + ["ok"]
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationAnswer)) == 1


def test_a_closed_evaluation_shows_a_clear_page_and_takes_no_answer(app, client, smtp, deliver):
    gid = past_gathering(app, attended=1, others=False)
    open_evaluation(app, gid)
    deliver()
    link = links(smtp)["p0@alta.kommune.no"]
    form_token = csrf_token(client, link)
    with app.app_context():
        evaluation = db.session.scalar(select(Evaluation))
        evaluation.closes_on = oslo_today() - timedelta(days=1)
        db.session.commit()
    response = client.get(link)
    assert response.status_code == 410 and "Evalueringen er stengt" in response.get_data(as_text=True)
    assert client.post(link, data={"csrf_token": form_token}).status_code == 410
    with app.app_context(), pytest.raises(service.Refused) as refused:
        service.answer(link.rsplit("/", 1)[1], {})
    assert refused.value.code == "closed"
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationAnswer)) == 0


def _answers_table(app):
    with app.app_context():
        return [dict(row._mapping) for row in db.session.execute(text("SELECT * FROM evaluation_answer"))]


def test_no_answer_can_be_joined_to_a_person_from_the_database(app):
    """Two people answer differently. The answer table holds only a key made from the link, the evaluation and the
    answers: no registration, invitation, municipality, time or sequence; the invitations only who was asked."""
    gid = past_gathering(app, attended=2, others=False)
    evaluation_id = open_evaluation(app, gid)
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("evaluation_answer")}
        assert columns == {"id", "evaluation_id", "answers"}, columns
        service.answer(new_token(evaluation_id), {"q": "first"})
        service.answer(new_token(evaluation_id), {"q": "second"})
    rows = _answers_table(app)
    assert {r["evaluation_id"] for r in rows} == {evaluation_id}
    ids = [r["id"] for r in rows]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", i) for i in ids), "keys from the links, not a sequence"
    with app.app_context():
        invitation_values = {str(v) for row in db.session.execute(text("SELECT * FROM evaluation_invitation"))
                             for v in row}
    assert not invitation_values & set(ids), "no key in common"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context(), pytest.raises(Exception, match="rowid"):
            db.session.execute(text("SELECT rowid FROM evaluation_answer")).all()


def test_answers_are_kept_in_key_order_not_in_the_order_they_came(app):
    gid = past_gathering(app, attended=24, others=False)
    evaluation_id = open_evaluation(app, gid)
    with app.app_context():
        for n in range(24):
            service.answer(new_token(evaluation_id), {"n": n})
    rows = _answers_table(app)  # no ORDER BY: the order the database keeps them in
    order = [r["answers"]["n"] if isinstance(r["answers"], dict) else int(re.search(r"\d+", r["answers"]).group())
             for r in rows]
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        assert order != sorted(order), "rows are not read back in the order they were answered"
    assert [r["id"] for r in rows] != sorted(r["id"] for r in rows) or order != sorted(order)


def test_one_reminder_goes_to_everyone_invited_without_a_link(app, client, smtp, deliver):
    """Nobody knows who has answered, so the one reminder goes to all who were invited, worded for both, and
    carries no link (a new one would be a second answer): it says which mail has theirs."""
    gid = past_gathering(app, attended=3, others=False)
    evaluation_id = open_evaluation(app, gid, reminder_days=3)
    deliver()
    answer(client, links(smtp)["p0@alta.kommune.no"])
    smtp.clear()
    with app.app_context():
        assert service.send_reminders(now=utcnow() + timedelta(days=2)) == 0, "not before the days have passed"
        later = utcnow() + timedelta(days=3, minutes=1)
        assert service.send_reminders(now=later) == 3
        assert service.send_reminders(now=later) == 0
        assert db.session.get(Evaluation, evaluation_id).reminded
    deliver()
    assert sorted(m["To"] for m in smtp.messages) == [f"p{n}@alta.kommune.no" for n in range(3)]
    for message in smtp.messages:
        body = text_part(message)
        assert "Påminnelse" in message["Subject"] and not LINK.search(body) and "/evaluering/" not in body
        assert "Har du svart" in body and "«Hva syntes du om" in body, body


def test_concurrent_reminder_runs_remind_each_once(app):
    gid = past_gathering(app, attended=12, others=False)
    open_evaluation(app, gid, reminder_days=1)
    later = utcnow() + timedelta(days=2)

    def run(_, ready):
        with app.app_context():
            ready()
            sent = service.send_reminders(now=later)
            db.session.remove()
        return sent

    assert sum(all_at_once(run, range(4))) == 12
    with app.app_context():
        assert db.session.query(OutboundEmail).filter_by(kind="evaluation_reminder").count() == 12


def test_send_evaluations_opens_those_set_to_open_once_their_gathering_has_ended(app, runner):
    ended = past_gathering(app, attended=2, others=False)
    unattended = past_gathering(app, attended=1, others=False)
    with app.app_context():
        coming = factories.gathering(day=oslo_today() + timedelta(days=10)).id
        for gathering_id, auto in ((ended, True), (coming, True), (unattended, False)):
            service.create(db.session.get(factories.Gathering, gathering_id)).auto_open = auto
        db.session.commit()
    first = runner.invoke(args=["send-evaluations"])
    assert "1 evaluations opened" in first.output, first.output
    assert "0 evaluations opened" in runner.invoke(args=["send-evaluations"]).output
    with app.app_context():
        states = dict(db.session.execute(select(Evaluation.gathering_id, Evaluation.status)).all())
        assert states == {ended: "open", coming: "draft", unattended: "draft"}
        assert db.session.query(OutboundEmail).filter_by(kind="evaluation").count() == 2


def test_the_presentations_mail_reminds_those_invited_of_the_evaluation(app, smtp, deliver, client):
    gid = past_gathering(app, attended=2)
    open_evaluation(app, gid)
    with app.app_context():
        db.session.query(OutboundEmail).delete()
        db.session.commit()
        send_documents_ready(db.session.get(factories.Gathering, gid), evaluation=True)
    deliver()
    by_address = {m["To"]: text_part(m) for m in smtp.messages}
    invited = by_address["p0@alta.kommune.no"]
    assert "Presentasjonene" in invited and "Har du svart" in invited and not LINK.search(invited)
    assert "Har du svart" not in by_address["noshow@alta.kommune.no"], "not to someone who did not attend"


def test_results_hide_fewer_than_three_answers_and_show_charts_tables_and_escaped_text(app, organiser_client,
                                                                                       smtp, deliver):
    gid = past_gathering(app, attended=4, others=False)
    open_evaluation(app, gid)
    deliver()
    found = list(links(smtp).values())
    page = f"/arrangor/samlinger/{gid}/evalueringsresultat"
    for n, link in enumerate(found[:2]):
        answer(organiser_client, link, a=str(n + 3), b="5", c="<script>alert(1)</script>", d="")
    html = organiser_client.get(page).get_data(as_text=True)
    assert "2 svar" in html and "<svg" not in html and "alert" not in html
    answer(organiser_client, found[2], a="5")
    html = organiser_client.get(page).get_data(as_text=True)
    assert 'role="img"' in html and "<title" in html and "<desc" in html and "<table" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "Gjennomsnitt: 4,0" in html, html[html.find("Gjennomsnitt"):][:80]
    workbook = load_workbook(BytesIO(organiser_client.get(page + ".xlsx").data))
    assert workbook.sheetnames == ["Sammendrag", "Fritekst"]
    summary = organiser_client.get(f"/arrangor/samlinger/{gid}/evalueringsrapport").get_data(as_text=True)
    assert 'role="img"' in summary
    with app.app_context():
        round_id = db.session.get(factories.Gathering, gid).round_id
    round_page = organiser_client.get(f"/arrangor/runder/{round_id}/evaluering")
    assert round_page.status_code == 200 and 'role="img"' in round_page.get_data(as_text=True)
    assert organiser_client.get(f"/arrangor/runder/{round_id}/evaluering.xlsx").status_code == 200


def test_organiser_builds_and_opens_the_evaluation(app, organiser_client, smtp, deliver):
    gid = past_gathering(app, attended=2, others=False)
    page = f"/arrangor/samlinger/{gid}/evaluering"
    token = csrf_token(organiser_client, page)
    assert organiser_client.post(f"{page}-ny", data={"csrf_token": token}).status_code == 302
    html = organiser_client.get(page).get_data(as_text=True)
    assert "Hvor nyttig var samlingen" in html
    response = organiser_client.post(f"{page}-sporsmal", data={
        "csrf_token": token, "label": "Var lokalet bra?", "kind": "scale"})
    assert response.status_code == 302
    assert organiser_client.post(f"{page}-sporsmal", data={"csrf_token": token, "label": ""}).status_code == 422
    assert organiser_client.post(f"{page}-opne", data={"csrf_token": token}).status_code == 302
    deliver()
    assert len(links(smtp)) == 2
    refused = organiser_client.post(f"{page}-sporsmal", data={"csrf_token": token, "label": "Sent?", "kind": "text"})
    assert refused.status_code == 409, "questions cannot change once open"


def test_an_evaluation_cannot_open_before_the_gathering_has_started(app, organiser_client):
    with app.app_context():
        gid = factories.gathering().id
    page = f"/arrangor/samlinger/{gid}/evaluering"
    assert organiser_client.post(f"{page}-opne", data={"csrf_token": csrf_token(organiser_client, page)}
                                 ).status_code == 409


def test_evaluation_links_are_masked_in_logs(app):
    from samlinger.logmask import mask

    with app.app_context():
        token = new_token(1)
    assert mask(f"GET /nn/evaluering/{token} HTTP/1.1") == "GET /nn/evaluering/[token] HTTP/1.1"


def test_migration_0017_adds_the_four_tables_and_the_downgrade_removes_them(database_url, tmp_path):
    """0017 only creates tables (registrations keep their place: nothing is copied on SQLite); the downgrade drops
    them and leaves the registrations as they were."""
    from flask_migrate import downgrade, upgrade

    from samlinger import create_app

    from .conftest import base_config, empty_database

    tables = {"evaluation", "evaluation_question", "evaluation_invitation", "evaluation_answer"}
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0016_hybrid_gatherings")
        assert not tables & set(inspect(db.engine).get_table_names())
        upgrade(revision="0017_evaluations")
        assert tables <= set(inspect(db.engine).get_table_names())
        if db.engine.dialect.name == "sqlite":
            sql = db.session.execute(text("SELECT sql FROM sqlite_master WHERE name = 'evaluation_answer'")).scalar()
            assert "WITHOUT ROWID" in sql
        db.session.remove()
        downgrade(revision="0016_hybrid_gatherings")
        assert not tables & set(inspect(db.engine).get_table_names())
        upgrade()
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_the_demo_has_a_past_gathering_with_answers_and_charts_and_seeding_again_adds_nothing(app, runner,
                                                                                               organiser_client):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        counts = dict(db.session.execute(
            select(Evaluation.gathering_id, db.func.count(EvaluationAnswer.id))
            .join(EvaluationAnswer, EvaluationAnswer.evaluation_id == Evaluation.id)
            .group_by(Evaluation.gathering_id)).all())
    assert sorted(counts.values()) == [2, 10]
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(EvaluationAnswer)) == 12
        assert db.session.query(OutboundEmail).filter_by(kind="evaluation").count() == 0, "the demo mails nobody"
    gathering_id = next(g for g, n in counts.items() if n == 10)
    html = organiser_client.get(f"/arrangor/samlinger/{gathering_id}/evalueringsresultat").get_data(as_text=True)
    assert html.count('role="img"') == 2 and "10 svar." in html
