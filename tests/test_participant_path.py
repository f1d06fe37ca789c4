"""The participant's path through the web pages: find, register, receive, manage, cancel."""

import re

from icalendar import Calendar

from samlinger.extensions import db
from samlinger.registration.models import Registration

from .conftest import calendar_parts, csrf_token, form_data, manage_link


def register(client, slug, **overrides):
    url = f"/samlinger/{slug}/pamelding"
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def test_front_page_lists_published_gatherings_with_seats(client, make_gathering):
    make_gathering(title="Samling i øst", capacity=12)
    make_gathering(title="Kladd", status="draft")
    html = client.get("/").get_data(as_text=True)
    assert "Samling i øst" in html
    assert "Kladd" not in html
    assert "Samlinger i Prosjektnettverket våren 2027" in html
    assert re.search(r"Åpen for påmelding|Open for registration", html)


def test_registration_confirms_seat_and_mails_a_calendar_invite(app, client, make_gathering, smtp, deliver):
    gid = make_gathering(title="Samling i vest", capacity=2)
    response = register(client, "samling-1")
    assert response.status_code == 302
    receipt = client.get(response.headers["Location"])
    assert receipt.status_code == 200
    assert "oyvind@alta.kommune.no" in receipt.get_data(as_text=True)

    assert deliver() == 1
    [message] = smtp.to("oyvind@alta.kommune.no")
    assert "Samling i vest" in message["Subject"]
    assert message["Reply-To"] == "arrangor@statsforvalteren.test"
    assert "samlinger@samlinger.test" in message["From"]
    assert message.get_body(("html",)) is not None
    parts = calendar_parts(message)
    assert parts, "a confirmed seat comes with an invite"
    for part in parts:
        assert part.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(parts[0].get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    with app.app_context():
        gathering = db.session.get(Registration, 1).gathering
        assert str(event["UID"]) == gathering.uid
    assert int(event["SEQUENCE"]) == 0
    assert "oyvind@alta.kommune.no" in str(event["ATTENDEE"])
    assert event["ATTENDEE"].params["RSVP"] == "FALSE"
    assert "arrangor@statsforvalteren.test" in str(event["ORGANIZER"])
    assert "Scandic Alta" in str(event["LOCATION"])
    assert str(event["URL"]) == "http://samlinger.test/samlinger/samling-1"
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert calendar.walk("VTIMEZONE"), "the invite carries its VTIMEZONE"
    assert "/pamelding/" not in parts[0].get_content(), "no manage link inside the shared invite"
    assert manage_link(message).startswith("/pamelding/")
    assert gid


def test_manage_link_shows_edits_and_cancels_with_calendar_cancel(app, client, make_gathering, smtp, deliver):
    make_gathering(capacity=1)
    register(client, "samling-1")
    register(client, "samling-1", email="kari@vardo.kommune.no", name="Kari Nordmann")
    deliver()
    link = manage_link(smtp.to("oyvind@alta.kommune.no")[0])

    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert "Øyvind Ærø-Sámi" in page.get_data(as_text=True)

    data = form_data(name="Øyvind Ærø", needs="Glutenfri")
    data["csrf_token"] = csrf_token(client, link)
    assert client.post(link, data=data).status_code == 302
    with app.app_context():
        first = db.session.scalar(db.select(Registration).filter_by(email_normalized="oyvind@alta.kommune.no"))
        assert (first.name, first.needs) == ("Øyvind Ærø", "Glutenfri")

    smtp.clear()
    cancel_url = link + "/avmeld"
    response = client.post(cancel_url, data={"csrf_token": csrf_token(client, cancel_url)})
    assert response.status_code == 302
    deliver()
    [cancellation] = smtp.to("oyvind@alta.kommune.no")
    [calendar_part] = calendar_parts(cancellation)[:1]
    assert calendar_part.get_param("method") == "CANCEL"
    assert Calendar.from_ical(calendar_part.get_content())["METHOD"] == "CANCEL"
    # The freed seat went to Kari, who gets an invite.
    [promoted] = smtp.to("kari@vardo.kommune.no")
    assert calendar_parts(promoted)[0].get_param("method") == "REQUEST"
    with app.app_context():
        statuses = dict(db.session.execute(db.select(Registration.email, Registration.status)).all())
    assert statuses == {"oyvind@alta.kommune.no": "cancelled", "kari@vardo.kommune.no": "confirmed"}


def test_registering_the_same_address_again_resends_the_link_without_revealing(app, client, make_gathering,
                                                                               smtp, deliver):
    make_gathering()
    register(client, "samling-1")
    deliver()
    first_link = manage_link(smtp.messages[0])
    smtp.clear()
    response = register(client, "samling-1", email="OYVIND@alta.kommune.no ", name="Someone Else")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Øyvind" not in page and "Someone Else" not in page
    deliver()
    [message] = smtp.to("oyvind@alta.kommune.no")
    assert manage_link(message) == first_link, "the same link again: a second sign-up ends nothing"
    assert client.get(first_link).status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 1


def test_request_link_page_says_the_same_for_known_and_unknown_addresses(client, make_gathering, smtp, deliver):
    make_gathering()
    register(client, "samling-1")
    deliver()
    smtp.clear()
    url = "/samlinger/samling-1/ny-lenke"
    answers = []
    for address in ("oyvind@alta.kommune.no", "nobody@example.no"):
        response = client.post(url, data={"email": address, "csrf_token": csrf_token(client, url)},
                               follow_redirects=True)
        # CSRF tokens carry a timestamp, so they may differ by a second; nothing else may.
        html = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", response.get_data(as_text=True))
        answers.append(html.replace(address, ""))
    assert answers[0] == answers[1]
    deliver()
    assert len(smtp.to("oyvind@alta.kommune.no")) == 1
    assert smtp.to("nobody@example.no") == []


def test_bad_input_is_explained_and_kept(client, make_gathering):
    make_gathering()
    response = register(client, "samling-1", name="", email="not-an-address", organisation="<script>alert(1)</script>",
                        consent=None)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-summary"' in html
    assert 'href="#name"' in html and 'href="#email"' in html and 'href="#consent"' in html
    assert 'aria-invalid="true"' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "what was typed is kept, escaped"
    assert 'value="not-an-address"' in html


def test_too_long_input_is_refused_with_a_message(client, make_gathering):
    make_gathering()
    response = register(client, "samling-1", name="x" * 201, needs="y" * 2001)
    assert response.status_code == 422
    assert response.get_data(as_text=True).count('class="ds-validation-message error-message"') == 2


def test_missing_or_forged_csrf_token_is_a_400_not_a_registration(app, client, make_gathering):
    make_gathering()
    assert client.post("/samlinger/samling-1/pamelding", data=form_data()).status_code == 400
    forged = form_data(csrf_token="forged")
    assert client.post("/samlinger/samling-1/pamelding", data=forged).status_code == 400
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Registration)) == 0


def test_tampered_or_unknown_manage_tokens_lead_nowhere(client, make_gathering, smtp, deliver):
    make_gathering()
    register(client, "samling-1")
    deliver()
    link = manage_link(smtp.messages[0])
    for bad in (link[:-1] + ("A" if link[-1] != "A" else "B"), "/pamelding/x", "/pamelding/" + "a" * 500,
                "/pamelding/%00", "/pamelding/1"):
        assert client.get(bad).status_code == 404
        assert client.post(bad + "/avmeld").status_code in (400, 404)


def test_draft_cancelled_and_unknown_gatherings(client, make_gathering):
    make_gathering(status="draft")
    make_gathering(status="cancelled", cancel_reason="Uvær")
    assert client.get("/samlinger/samling-1").status_code == 404
    assert client.get("/samlinger/samling-1/pamelding").status_code == 404
    assert client.get("/samlinger/finnes-ikke").status_code == 404
    page = client.get("/samlinger/samling-2")
    assert page.status_code == 200 and "Uvær" in page.get_data(as_text=True)
    assert register(client, "samling-2").status_code == 403


def test_unpublished_round_hides_its_gatherings(client, make_gathering):
    make_gathering(round_published=False)
    assert client.get("/samlinger/samling-1").status_code == 404
    assert "Samling 1" not in client.get("/").get_data(as_text=True)
