"""Organisers create, publish, copy, move, cancel and delete rounds and gatherings."""

from datetime import date, time

from icalendar import Calendar
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.gatherings.slugs import slugify
from samlinger.registration.models import Registration
from samlinger.timeutil import oslo

from . import factories
from .conftest import calendar_parts, csrf_token, form_data, text_part


def post(client, url, **data):
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def press(client, url, page, **data):
    """Press a button on *page* that posts to *url*."""
    data["csrf_token"] = csrf_token(client, page)
    return client.post(url, data=data)


def gathering_data(**overrides):
    data = {"title": "Samling i øst våren 2027", "slug": "", "region": "east", "venue": "Scandic Kirkenes",
            "address": "Kongensgate 1, 9900 Kirkenes", "start_day": "2027-03-10", "start_time": "10:00",
            "end_day": "", "end_time": "15:30", "registration_deadline": "2027-03-03", "capacity": "30",
            "waitlist_enabled": "y", "description": "Om **prosjektarbeid**.", "programme": "- 10:00 Velkommen",
            "documents_visibility": "public"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def register(client, slug, **overrides):
    return post(client, f"/samlinger/{slug}/pamelding", **form_data(**overrides))


def test_slugs_are_ascii_with_norwegian_letters_spelled_out():
    assert slugify("Samling i øst – våren 2027!") == "samling-i-ost-vaaren-2027"
    assert slugify("Ærlig talt: ÅPEN dag") == "aerlig-talt-aapen-dag"
    assert slugify("???") == "samling"


def test_organiser_creates_a_round_with_east_and_west_and_publishes_it(app, organiser_client):
    client = organiser_client
    assert client.get("/").get_data(as_text=True).count("Samling i øst") == 0
    created = post(client, "/arrangor/runder/ny", year="2027", term="spring",
                   title="Samlinger i Prosjektnettverket våren 2027", intro="To samlinger.")
    assert created.status_code == 302
    round_url = created.headers["Location"]
    with app.app_context():
        round_ = db.session.scalar(select(Round))
        assert not round_.published
        round_id = round_.id
    duplicate = post(client, "/arrangor/runder/ny", year="2027", term="spring", title="Igjen")
    assert duplicate.status_code == 422

    new_url = f"/arrangor/runder/{round_id}/samlinger/ny"
    east = post(client, new_url, **gathering_data())
    assert east.status_code == 302, east.get_data(as_text=True)
    west = post(client, new_url, **gathering_data(title="Samling i vest våren 2027", region="west",
                                                  venue="Thon Hotel Alta", start_day="2027-03-17",
                                                  registration_deadline="2027-03-10", capacity=""))
    assert west.status_code == 302
    with app.app_context():
        east_g, west_g = db.session.scalars(select(Gathering).order_by(Gathering.starts_at)).all()
        assert east_g.slug == "samling-i-ost-vaaren-2027"
        assert oslo(east_g.starts_at).replace(tzinfo=None).isoformat() == "2027-03-10T10:00:00"
        assert east_g.starts_at.hour == 9, "10:00 in Oslo in March is 09:00 UTC"
        assert east_g.registration_deadline == date(2027, 3, 3)
        assert (east_g.status, east_g.capacity, west_g.capacity) == ("draft", 30, None)
        ids = east_g.id, west_g.id

    page = client.get(round_url).get_data(as_text=True)
    assert "Samling i øst våren 2027" in page and "Samling i vest våren 2027" in page

    for gid in ids:
        assert press(client, f"/arrangor/samlinger/{gid}/publiser", round_url, published="1").status_code == 302
    assert "Samling i øst" not in client.get("/").get_data(as_text=True), "the round itself is still a draft"
    press(client, f"/arrangor/runder/{round_id}/publiser", round_url, published="1")
    front = client.get("/").get_data(as_text=True)
    assert "Samling i øst våren 2027" in front and "Samling i vest våren 2027" in front
    assert client.get("/samlinger/samling-i-ost-vaaren-2027").status_code == 200

    press(client, f"/arrangor/runder/{round_id}/publiser", round_url, published="0")
    assert "Samling i øst" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action != "user.sign_in")
                                     .order_by(AuditEntry.id)).all()
    assert actions == ["round.create", "gathering.create", "gathering.create", "gathering.publish",
                       "gathering.publish", "round.publish", "round.unpublish"]


def test_gathering_form_validates_times_deadline_and_slug(app, organiser_client, make_gathering):
    make_gathering(slug="opptatt")
    with app.app_context():
        round_id = db.session.scalar(select(Round.id))
    url = f"/arrangor/runder/{round_id}/samlinger/ny"
    client = organiser_client
    client.get("/sprak/nb")

    backwards = post(client, url, **gathering_data(start_time="15:00", end_time="10:00"))
    html = backwards.get_data(as_text=True)
    assert backwards.status_code == 422
    assert "Samlingen må slutte etter at den starter." in html
    assert 'value="Scandic Kirkenes"' in html, "nothing typed is lost"

    late = post(client, url, **gathering_data(registration_deadline="2027-03-11"))
    assert late.status_code == 422 and "Fristen kan ikke være etter" in late.get_data(as_text=True)
    taken = post(client, url, **gathering_data(slug="opptatt"))
    assert taken.status_code == 422
    bad_slug = post(client, url, **gathering_data(slug="Med mellomrom"))
    assert bad_slug.status_code == 422
    missing = post(client, url, **gathering_data(title="", start_day="ikke en dato", capacity="0"))
    assert missing.status_code == 422

    multi_day = post(client, url, **gathering_data(end_day="2027-03-11", end_time="14:00", slug="to-dager"))
    assert multi_day.status_code == 302
    with app.app_context():
        gathering = db.session.scalar(select(Gathering).where(Gathering.slug == "to-dager"))
        assert oslo(gathering.ends_at).date() == date(2027, 3, 11)
        assert db.session.scalar(select(Gathering).where(Gathering.title == "")) is None


def test_copy_to_next_round_keeps_weekday_and_oslo_time_across_dst(app, organiser_client, make_gathering):
    gid = make_gathering(title="Samling i øst våren 2027", day=date(2027, 3, 10), slug="ost-2027",
                         registration_deadline=date(2027, 3, 3))
    with app.app_context():
        round_ = db.session.scalar(select(Round))
        round_.title = "Samlinger i Prosjektnettverket våren 2027"
        db.session.commit()
        round_id = round_.id
    organiser_client.post(f"/arrangor/samlinger/{gid}/sporsmal",
                          data={"label": "Blir du med på middagen?", "kind": "yesno", "required": "y",
                                "csrf_token": csrf_token(organiser_client, f"/arrangor/samlinger/{gid}/sporsmal")})
    page = f"/arrangor/runder/{round_id}"
    copied = press(organiser_client, f"/arrangor/runder/{round_id}/kopier", page)
    assert copied.status_code == 302
    with app.app_context():
        old = db.session.get(Gathering, gid)
        new_round = db.session.scalar(select(Round).where(Round.id != round_id))
        assert (new_round.year, new_round.term, new_round.published) == (2027, "autumn", False)
        assert new_round.title == "Samlinger i Prosjektnettverket høsten 2027"
        [new] = new_round.gatherings
        assert new.title == "Samling i øst høsten 2027"
        assert new.status == "draft" and new.revision == 0 and new.uid != old.uid and new.slug != old.slug
        old_start, new_start = oslo(old.starts_at), oslo(new.starts_at)
        assert new_start.weekday() == old_start.weekday()
        assert new_start.time() == time(10, 0) == old_start.time(), "same wall-clock time after the DST change"
        assert new.starts_at.hour == 8 and old.starts_at.hour == 9, "CEST vs CET in UTC"
        assert oslo(new.ends_at).time() == time(15, 30)
        assert new.registration_deadline == date(2027, 9, 1)
        assert [q.label for q in new.questions] == ["Blir du med på middagen?"]
        new_round_id = new_round.id
    again = press(organiser_client, f"/arrangor/runder/{round_id}/kopier", page)
    assert again.status_code == 302
    with app.app_context():
        assert db.session.query(Round).count() == 2, "the next term's round exists already"
    # And autumn copies to the next year's spring.
    press(organiser_client, f"/arrangor/runder/{new_round_id}/kopier", f"/arrangor/runder/{new_round_id}")
    with app.app_context():
        assert db.session.scalar(select(Round).where(Round.year == 2028, Round.term == "spring")) is not None


def _edit(client, gid, **changes):
    url = f"/arrangor/samlinger/{gid}/endre"
    data = gathering_data(title="Samling 1", slug="samling-1", start_day="2027-03-10",
                          registration_deadline="2027-03-03", capacity="1")
    data.update(changes)
    return post(client, url, **data)


def test_moving_a_gathering_by_an_hour_updates_every_calendar(app, client, organiser_client, make_gathering, smtp,
                                                              deliver):
    gid = make_gathering(venue="Scandic Kirkenes", address="Kongensgate 1, 9900 Kirkenes", capacity=1,
                         day=date(2027, 3, 10), registration_deadline=date(2027, 3, 3))
    public = app.test_client()
    register(public, "samling-1")
    register(public, "samling-1", email="kari@vardo.kommune.no", name="Kari")  # waiting list
    deliver()
    [first] = smtp.to("oyvind@alta.kommune.no")
    original = Calendar.from_ical(calendar_parts(first)[0].get_content()).walk("VEVENT")[0]
    smtp.clear()

    same = _edit(organiser_client, gid, notify_participants="y", description="Ny tekst")
    assert same.status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, gid).revision == 0, "a new text is not a new time or place"

    moved = _edit(organiser_client, gid, start_time="11:00", end_time="16:30", notify_participants="y")
    assert moved.status_code == 302
    assert deliver() == 1
    [update] = smtp.to("oyvind@alta.kommune.no")
    assert not smtp.to("kari@vardo.kommune.no"), "the waiting list has no calendar entry to update"
    parts = calendar_parts(update)
    assert parts and all(part.get_param("method") == "REQUEST" for part in parts)
    calendar = Calendar.from_ical(parts[0].get_content())
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]) == str(original["UID"])
    assert int(event["SEQUENCE"]) == int(original["SEQUENCE"]) + 1 == 1
    assert event.decoded("DTSTART").hour == 11 and event.decoded("DTSTART").tzinfo is not None
    assert oslo(event.decoded("DTSTART")).hour == 11
    with app.app_context():
        gathering = db.session.get(Gathering, gid)
        assert gathering.revision == 1
        assert oslo(gathering.starts_at).hour == 11
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "gathering.move"

    quiet = _edit(organiser_client, gid, start_time="11:00", end_time="16:30", venue="Rica Kirkenes")
    assert quiet.status_code == 302
    assert deliver() == 0, "no mail without 'notify participants'"
    with app.app_context():
        assert db.session.get(Gathering, gid).revision == 2


def test_cancelling_a_gathering_sends_cancel_with_the_reason(app, organiser_client, make_gathering, smtp, deliver):
    gid = make_gathering(capacity=1)
    public = app.test_client()
    register(public, "samling-1")
    register(public, "samling-1", email="kari@vardo.kommune.no", name="Kari")
    deliver()
    smtp.clear()
    url = f"/arrangor/samlinger/{gid}/avlys"
    assert post(organiser_client, url, reason="").status_code == 422
    cancelled = post(organiser_client, url, reason="For få påmeldte; vi samles i høst.")
    assert cancelled.status_code == 302
    assert "Avlyst" in organiser_client.get(cancelled.headers["Location"]).get_data(as_text=True)
    assert deliver() == 2
    [confirmed] = smtp.to("oyvind@alta.kommune.no")
    [waiting] = smtp.to("kari@vardo.kommune.no")
    assert "For få påmeldte; vi samles i høst." in text_part(confirmed)
    assert "For få påmeldte; vi samles i høst." in text_part(waiting)
    parts = calendar_parts(confirmed)
    assert parts and all(part.get_param("method") == "CANCEL" for part in parts)
    calendar = Calendar.from_ical(parts[0].get_content())
    assert calendar["METHOD"] == "CANCEL"
    assert calendar.walk("VEVENT")[0]["STATUS"] == "CANCELLED"
    assert not calendar_parts(waiting)
    page = public.get("/samlinger/samling-1").get_data(as_text=True)
    assert "For få påmeldte" in page
    assert register(public, "samling-1", email="ny@alta.kommune.no").status_code != 302
    assert organiser_client.get(url).status_code == 302, "cannot cancel twice"
    with app.app_context():
        assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc())) == "gathering.cancel"


def test_deleting_a_gathering_with_registrations_is_refused(app, organiser_client, make_gathering):
    with_people = make_gathering()
    empty = make_gathering()
    register(app.test_client(), "samling-1")
    page = f"/arrangor/samlinger/{empty}/endre"
    refused = press(organiser_client, f"/arrangor/samlinger/{with_people}/slett", page)
    assert refused.status_code == 302
    message = organiser_client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "avlys" in message.lower() or "cancel it instead" in message.lower()
    refused_draft = press(organiser_client, f"/arrangor/samlinger/{with_people}/publiser", page, published="0")
    assert refused_draft.status_code == 302
    assert press(organiser_client, f"/arrangor/samlinger/{empty}/slett", page).status_code == 302
    with app.app_context():
        assert db.session.get(Gathering, with_people).status == "published"
        assert db.session.get(Gathering, empty) is None
        assert db.session.query(Registration).count() == 1
        assert db.session.scalars(select(AuditEntry.action).where(AuditEntry.action != "user.sign_in")
                                  ).all() == ["gathering.delete"]
    assert organiser_client.get(f"/arrangor/samlinger/{empty}/endre").status_code == 404


def test_a_gathering_whose_registrations_were_all_cancelled_keeps_them(app, organiser_client, make_gathering):
    """Deleting and taking back to draft follow one rule: any registration, also a cancelled one, is history."""
    from samlinger.registration import service

    gid = make_gathering()
    register(app.test_client(), "samling-1")
    with app.app_context():
        service.cancel(db.session.scalar(select(Registration.id)))
    page = f"/arrangor/samlinger/{gid}/endre"
    press(organiser_client, f"/arrangor/samlinger/{gid}/publiser", page, published="0")
    press(organiser_client, f"/arrangor/samlinger/{gid}/slett", page)
    with app.app_context():
        assert db.session.get(Gathering, gid).status == "published"
        assert db.session.scalar(select(Registration.status)) == "cancelled"


def test_empty_round_can_be_deleted_but_not_one_with_gatherings(app, organiser_client, make_gathering):
    make_gathering()
    with app.app_context():
        full_id = db.session.scalar(select(Round.id))
        empty_id = factories.round_(2030, "autumn", title="Tom", published=False).id
    page = f"/arrangor/runder/{full_id}"
    assert press(organiser_client, f"/arrangor/runder/{full_id}/slett", page).status_code == 302
    assert press(organiser_client, f"/arrangor/runder/{empty_id}/slett", page).status_code == 302
    with app.app_context():
        assert db.session.get(Round, full_id) is not None
        assert db.session.get(Round, empty_id) is None


def test_workspace_pages_render(organiser_client, make_gathering):
    gid = make_gathering()
    for url in ("/arrangor/runder/", "/arrangor/runder/ny", "/arrangor/runder/1", "/arrangor/runder/1/endre",
                "/arrangor/runder/1/samlinger/ny", f"/arrangor/samlinger/{gid}/endre",
                f"/arrangor/samlinger/{gid}/avlys", f"/arrangor/samlinger/{gid}/sporsmal"):
        assert organiser_client.get(url).status_code == 200, url
    for url in ("/arrangor/runder/99", "/arrangor/samlinger/99/endre", "/arrangor/sporsmal/99/endre"):
        assert organiser_client.get(url).status_code == 404, url
    assert organiser_client.post(f"/arrangor/samlinger/{gid}/slett").status_code == 400, "no CSRF token"


def test_more_seats_promote_the_waiting_list_with_one_invite_each(app, organiser_client, make_gathering, smtp,
                                                                  deliver):
    gid = make_gathering(capacity=1, day=date(2027, 3, 10), registration_deadline=date(2027, 3, 3))
    public = app.test_client()
    register(public, "samling-1")
    register(public, "samling-1", email="kari@vardo.kommune.no", name="Kari")
    deliver()
    smtp.clear()
    assert _edit(organiser_client, gid, capacity="2", start_time="12:00", notify_participants="y").status_code == 302
    deliver()
    [promoted] = smtp.to("kari@vardo.kommune.no")
    [updated] = smtp.to("oyvind@alta.kommune.no")
    for message in (promoted, updated):
        event = Calendar.from_ical(calendar_parts(message)[0].get_content()).walk("VEVENT")[0]
        assert int(event["SEQUENCE"]) == 1 and oslo(event.decoded("DTSTART")).hour == 12
    with app.app_context():
        statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
        assert statuses == ["confirmed", "confirmed"]
