"""Following sign-ups: the dashboard, the registration list and what organisers change in it."""

import re
from datetime import timedelta

from samlinger.extensions import db
from samlinger.mail.models import OutboundEmail
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo_today, utcnow

from ..conftest import text_part
from .conftest import post, reload


def test_dashboard_shows_figures_and_failed_mail(app, organiser, make_gathering, register):
    gid = make_gathering(title="Samling i øst", capacity=2)
    ids = [register(gid, f"Person {n}", f"p{n}@alta.kommune.no") for n in range(4)]
    post(organiser, f"/arrangor/pameldinger/{ids[3]}/avmeld", form_url=f"/arrangor/pameldinger/{ids[3]}/avmeld")
    with app.app_context():
        db.session.get(OutboundEmail, 1).status = "failed"
        db.session.commit()
    html = organiser.get("/arrangor/").get_data(as_text=True)
    row = html[html.index("Samling i øst"):]
    row = row[:row.index("</tr>")]
    cells = [c.split(">", 1)[1].split("<")[0] for c in row.split("<td")[1:]]
    # confirmed / capacity, waiting list, cancelled, days to the deadline (23), failed mail
    assert cells[1:4] == ["2 / 2", "1", "1"]
    assert "23" in cells[4]
    assert 'class="count-failed">1' in row


def test_list_search_filter_and_organisation_counts(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=2)
    register(gid, "Åse Ødegård", "ase@vardo.kommune.no", "Vardø kommune")
    register(gid, "Bjørn Li", "bjorn@alta.kommune.no", "Alta kommune")
    register(gid, "Cecilie Berg", "cecilie@alta.kommune.no", " alta  kommune ")
    page = organiser.get(f"/arrangor/samlinger/{gid}/deltakere").get_data(as_text=True)
    assert all(name in page for name in ("Åse Ødegård", "Bjørn Li", "Cecilie Berg"))
    # Alta counted once, whatever the spelling: one confirmed, one on the waiting list.
    counts = page[page.index('id="per-organisation"'):]
    assert "<th scope=\"row\">Alta kommune</th><td class=\"num\">1</td><td class=\"num\">1</td>" in counts
    assert "<th scope=\"row\">Vardø kommune</th><td class=\"num\">1</td><td class=\"num\">0</td>" in counts

    found = organiser.get(f"/arrangor/samlinger/{gid}/deltakere?q=ødegård").get_data(as_text=True)
    assert "Åse Ødegård" in found and "Bjørn Li" not in found
    waiting = organiser.get(f"/arrangor/samlinger/{gid}/deltakere?status=waitlisted").get_data(as_text=True)
    assert "Cecilie Berg" in waiting and "Bjørn Li" not in waiting
    assert organiser.get(f"/arrangor/samlinger/{gid}/deltakere?status=nonsense&q=%25").status_code == 200
    assert organiser.get("/arrangor/samlinger/999/deltakere").status_code == 404


def test_organiser_adds_after_the_deadline_and_person_is_emailed(app, organiser, make_gathering, smtp, deliver):
    day = (oslo_today() + timedelta(days=3))
    gid = make_gathering(day=day, registration_deadline=day - timedelta(days=7))
    url = f"/arrangor/samlinger/{gid}/deltakere/ny"
    data = {"name": "Sámi Ærlig", "email": "sami@karasjok.kommune.no", "organisation": "Karasjok kommune",
            "language": "nn"}
    response = post(organiser, url, data, form_url=url)
    assert response.status_code == 302
    again = post(organiser, url, data, form_url=url)
    assert again.status_code == 409
    assert "Det finnes allerede en påmelding med denne e-postadressen" in again.get_data(as_text=True)
    missing_name = post(organiser, url, {**data, "name": ""}, form_url=url)
    assert missing_name.status_code == 422
    assert "sami@karasjok.kommune.no" in missing_name.get_data(as_text=True)

    deliver()
    messages = smtp.to("sami@karasjok.kommune.no")
    assert len(messages) == 1, "the duplicate attempt sends nothing"
    assert "/pamelding/" in text_part(messages[0])
    with app.app_context():
        from samlinger.registration.models import Registration

        added = db.session.query(Registration).one()
        assert added.added_by_organiser and added.status == "confirmed" and added.language == "nn"


def test_organiser_edits_and_cannot_take_another_persons_address(app, organiser, make_gathering, register):
    from samlinger.questions.models import Question

    gid = make_gathering()
    with app.app_context():
        question = Question(gathering_id=gid, label="Overnatting?", kind="yesno", required=True)
        db.session.add(question)
        db.session.commit()
        key = question.key
    first = register(gid, "Ola Nordmann", "ola@alta.kommune.no", answers={key: "no"})
    register(gid, "Kari Nordmann", "kari@alta.kommune.no")
    url = f"/arrangor/pameldinger/{first}/endre"
    page = organiser.get(url).get_data(as_text=True)
    assert "Overnatting?" in page and re.search(r'value="no"[^>]*checked|checked[^>]*value="no"', page)
    data = {"name": "Ola Normann", "email": "Ola.Ny@Alta.Kommune.no", "organisation": "Alta kommune",
            "role": "Rådgiver", "phone": "", "needs": "Glutenfri", f"q_{key}": "yes"}
    assert post(organiser, url, data, form_url=url).status_code == 302
    changed = reload(app, first)
    assert (changed.name, changed.email_normalized, changed.needs) == ("Ola Normann", "ola.ny@alta.kommune.no",
                                                                      "Glutenfri")
    assert changed.answers == {key: "yes"}
    taken = post(organiser, url, {**data, "email": "kari@alta.kommune.no"}, form_url=url)
    assert taken.status_code == 409
    assert reload(app, first).email_normalized == "ola.ny@alta.kommune.no"
    with app.app_context():
        from samlinger.audit.models import AuditEntry

        entry = db.session.query(AuditEntry).filter_by(action="registration.edit").one()
        assert (entry.object_id, entry.user.email) == (first, "kari@statsforvalteren.test")


def test_an_anonymised_registration_cannot_be_edited_into_a_new_link(app, organiser, make_gathering, register):
    """Anonymised, a registration may still be "confirmed": saving its form must not give it an address and a link."""
    from samlinger.registration.retention import _anonymise

    gid = make_gathering()
    rid = register(gid, "Ola Nordmann", "ola@alta.kommune.no")
    with app.app_context():
        _anonymise(db.session.get(Registration, rid), utcnow())
        db.session.commit()
    before = reload(app, rid)
    url = f"/arrangor/pameldinger/{rid}/endre"
    data = {"name": "Ola Nordmann", "email": "ola@alta.kommune.no", "organisation": "Alta kommune"}
    response = post(organiser, url, data, form_url=url)
    assert response.status_code == 409
    assert "Påmeldingen er anonymisert" in response.get_data(as_text=True)
    after = reload(app, rid)
    assert (after.status, after.email, after.link_secret, after.manage_token_hash) == (
        "confirmed", "", None, before.manage_token_hash)
    with app.app_context():
        assert db.session.scalar(db.select(OutboundEmail).where(OutboundEmail.kind == "new_link")) is None


def test_cancel_moves_the_waiting_list_up(app, organiser, make_gathering, register, smtp, deliver):
    gid = make_gathering(capacity=1)
    seated = register(gid, "Først", "forst@alta.kommune.no")
    waiting = register(gid, "Venter", "venter@alta.kommune.no")
    deliver()
    smtp.clear()
    url = f"/arrangor/pameldinger/{seated}/avmeld"
    assert "Først" in organiser.get(url).get_data(as_text=True)
    assert post(organiser, url, form_url=url).status_code == 302
    assert reload(app, seated).status == "cancelled"
    assert reload(app, waiting).status == "confirmed"
    deliver()
    assert smtp.to("forst@alta.kommune.no") and smtp.to("venter@alta.kommune.no")


def test_move_up_gives_a_seat_out_of_turn(app, organiser, make_gathering, register, smtp, deliver):
    gid = make_gathering(capacity=1)
    register(gid, "Først", "forst@alta.kommune.no")
    register(gid, "Andre", "andre@alta.kommune.no")
    third = register(gid, "Tredje", "tredje@alta.kommune.no")
    list_url, url = f"/arrangor/samlinger/{gid}/deltakere", f"/arrangor/pameldinger/{third}/flytt-opp"
    assert url in organiser.get(list_url).get_data(as_text=True)
    page = organiser.get(url).get_data(as_text=True)
    assert "Tredje" in page and "Samlingen er full" in page, "the page says the seat goes over capacity"
    no_reason = post(organiser, url, form_url=url)
    assert no_reason.status_code == 422 and reload(app, third).status == "waitlisted", "a reason is needed"
    response = post(organiser, url, {"reason": "speaker"}, form_url=url)
    assert response.status_code == 302
    assert reload(app, third).status == "confirmed"
    again = post(organiser, url, {"reason": "speaker"}, form_url=list_url)
    assert "Bare personer på ventelisten" in organiser.get(again.headers["Location"]).get_data(as_text=True)
    deliver()
    assert any(part.get_content_type() == "text/calendar" for part in smtp.to("tredje@alta.kommune.no")[-1].walk())
    assert organiser.post(f"/arrangor/pameldinger/{third}/flytt-opp").status_code == 400
