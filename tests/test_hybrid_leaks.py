"""The video link (and its meeting id and passcode) reaches confirmed online participants only.

One hybrid gathering with a link goes through everything that sends or shows something: registrations on
both sides and on both waiting lists, the link added, a new time, a message to everyone, reminders, the
presentations, a cancellation, a link request, the gathering cancelled. Then every public address the app
has (every GET route outside the workspace, in every language), every workspace page an organiser and an
admin reach (exports and the audit log included), every e-mail sent and every copy the outbox keeps are
searched for the secret. The online participant's own page and e-mails show it: the search finds it where
it is.
"""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from samlinger.documents import service as documents
from samlinger.documents.notify import send_documents_ready
from samlinger.extensions import db
from samlinger.gatherings import service as gatherings
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.messaging import service as messaging
from samlinger.online import service as online
from samlinger.registration import links, service
from samlinger.registration.models import Registration
from samlinger.registration.reminders import send_reminders

from . import factories
from .conftest import log_in_as

LINK = "https://teams.example.org/l/meetup-join/19%3ameeting_LEAKCHECK%40thread.v2/0"
SECRETS = (LINK, "teams.example.org", "LEAKCHECK", "Passord-7731", "812 443 190 55")
LANGUAGES = ("", "/nn", "/se", "/en")


@pytest.fixture
def app_config(app_config):
    app_config["SAMLINGER_LANGUAGES"] = ("nb", "nn", "se", "en")
    return app_config


def leaks(text: str) -> list[str]:
    unfolded = text.replace("\r\n ", "").replace("\n ", "")  # calendar lines are folded at 75 octets
    return [secret for secret in SECRETS if secret in text or secret in unfolded]


def mail_text(message) -> str:
    """Everything in an e-mail as its reader gets it: headers and every part decoded (base64 invites too)."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        if not part.is_multipart():
            content = part.get_content()
            parts.append(content.decode("utf-8", "replace") if isinstance(content, bytes) else content)
    return "\n".join(parts)


def body_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # XLSX: the cells
        book = load_workbook(io.BytesIO(data), read_only=True)
        return "\n".join(str(cell) for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row)
    return data.decode("utf-8", "replace")


def _scenario(app):
    with app.app_context():
        g = factories.gathering(mode="hybrid", capacity=1, online_capacity=1)
        people = {}
        for key, mode in (("on_site", "on_site"), ("online", "online"), ("waiting_online", "online"),
                          ("waiting_on_site", "on_site")):
            details = {"name": key.replace("_", " ").title(), "organisation": "Alta kommune"}
            people[key] = service.register(g.id, details,
                                           email=f"{key.replace('_', '')}@x.no", language="nb", mode=mode).registration
        tokens = {key: r.manage_token() for key, r in people.items()}
        ids = {key: r.id for key, r in people.items()}
        online.set_video_link(g.id, LINK, "812 443 190 55", "Passord-7731")
        data = {field: getattr(g, field) for field in gatherings.GATHERING_FIELDS}
        data |= {"starts_at": g.starts_at + timedelta(hours=1), "ends_at": g.ends_at + timedelta(hours=1)}
        gatherings.update_gathering(g.id, data, notify_participants=True)
        messaging.send_message(g, [g.id], "all", "Til alle", "Velkommen, alle sammen.", "all")
        send_reminders(now=g.starts_at - timedelta(days=1))
        documents.add_link(g, url="https://example.no/lysark.pdf", title="Lysark", speaker="Kari")
        send_documents_ready(db.session.get(Gathering, g.id))
        links.request_link(g.id, "onsite@x.no")
        links.request_link(g.id, "waitingonline@x.no")
        return g.id, g.slug, g.round_id, tokens, ids


def test_the_video_link_is_only_where_a_confirmed_online_participant_looks(app, client, smtp, deliver):
    gid, slug, round_id, tokens, ids = _scenario(app)
    deliver()
    public = client.application.test_client()

    # Where it belongs: the online participant's page and their confirmation, link-ready, update and reminder.
    assert leaks(public.get(f"/pamelding/{tokens['online']}").get_data(as_text=True))
    to_online = smtp.to("online@x.no")
    with_link = {m["Subject"].split(":")[0] for m in to_online if leaks(mail_text(m))}
    assert {"Påmeldingen er bekreftet", "Videolenken er klar", "Endret tid eller sted", "Påminnelse"} <= with_link, \
        with_link

    # Every other e-mail, the organiser's message to the online participant included.
    for message in smtp.messages:
        if message.envelope_to == ["online@x.no"] and message["Subject"].split(":")[0] in with_link:
            continue
        assert not leaks(mail_text(message)), (message.envelope_to, message["Subject"])

    # Every public GET route, in every language, with the manage links of everyone else.
    routes = [r for r in app.url_map.iter_rules() if "GET" in r.methods
              and not r.rule.startswith(("/arrangor", "/static"))]
    with app.app_context():
        document_id = db.session.scalar(select(Gathering).where(Gathering.id == gid)).documents[0].id
    values = {"slug": slug, "document_id": document_id, "code": "nn", "token": None}
    fetched = set()
    for rule in routes:
        for token_key in (("on_site", "waiting_online", "waiting_on_site") if "token" in rule.arguments else (None,)):
            arguments = {name: tokens[token_key] if name == "token" else values[name] for name in rule.arguments}
            path = rule.build(arguments)[1]
            for language in LANGUAGES:
                response = public.get(language + path)
                assert response.status_code < 500, (language + path)
                assert not leaks(body_of(response)), (language + path)
                fetched.add(rule.endpoint)
    assert fetched == {r.endpoint for r in routes}
    # The receipt too (it needs the session of a registration).
    page = public.get(f"/samlinger/{slug}/kvittering")
    assert not leaks(page.get_data(as_text=True))

    # The workspace: every page of the gathering and round but the online page, where the organiser types the
    # link, and everything an admin reads (the audit log, users, municipalities).
    admin = log_in_as(app, app.test_client(), email="admin@statsforvalteren.test", name="Ada Admin", role="admin")
    with app.app_context():
        batch = db.session.scalar(select(OutboundEmail.batch).where(OutboundEmail.batch.is_not(None)))
    values = {"gathering_id": gid, "round_id": round_id, "registration_id": ids["online"], "batch": batch,
              "file_format": None}
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not rule.rule.startswith("/arrangor"):
            continue
        if rule.endpoint == "workspace.online.online":
            continue
        if not set(rule.arguments) <= set(values):
            continue
        for file_format in (("csv", "xlsx") if "file_format" in rule.arguments else (None,)):
            arguments = {name: file_format if name == "file_format" else values[name] for name in rule.arguments}
            path = rule.build(arguments)[1]
            response = admin.get(path)
            assert response.status_code < 500, path
            assert not leaks(body_of(response)), path
            checked += 1
    assert checked > 20
    assert leaks(admin.get(f"/arrangor/samlinger/{gid}/nett").get_data(as_text=True))  # the organiser's own page

    # What the outbox keeps of every sent e-mail, organiser messages included, and the rest of the database
    # that is not the link's own table.
    with app.app_context():
        for kept in db.session.scalars(select(OutboundEmail)):
            assert kept.status == "sent"
            assert not leaks(f"{kept.subject}{kept.text_body}{kept.html_body}{kept.ics or ''}{kept.unwritten or ''}")
        for registration in db.session.scalars(select(Registration)):
            assert not leaks(repr(vars(registration)))
        assert not leaks(repr(vars(db.session.get(Gathering, gid))))

    # Cancelled at last: the cancellation and its CANCEL invite carry no link either.
    with app.app_context():
        gatherings.cancel_gathering(gid, "Været")
    smtp.clear()
    deliver()
    assert smtp.messages and not any(leaks(mail_text(m)) for m in smtp.messages)
    for language in LANGUAGES:
        for path in ("/", f"/samlinger/{slug}", "/samlinger.ics", f"/samlinger/{slug}.ics", "/api/v1/gatherings"):
            assert not leaks(public.get(language + path).get_data(as_text=True))
