"""Hybrid gatherings: seats and waiting lists per side, switching side, the video link only for confirmed online
participants (pages, mails, their own invite), online attendance, messages per side."""

import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings import service as gatherings
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.messaging import service as messaging
from samlinger.online import service as online
from samlinger.online.forms import is_video_link
from samlinger.refusal import Refused
from samlinger.registration import lists, service
from samlinger.registration.models import Registration
from samlinger.timeutil import utcnow

from . import factories
from .conftest import calendar_parts, csrf_token, form_data, manage_link, text_part
from .test_hybrid_leaks import mail_text

LINK = "https://teams.example.org/l/meetup-join/19%3ameeting_SECRETLINK%40thread.v2/0"
PASSCODE = "Hemmelig9"
MEETING_ID = "385 912 664 07"


def hybrid(capacity=1, online_capacity=1, **fields) -> Gathering:
    return factories.gathering(mode="hybrid", capacity=capacity, online_capacity=online_capacity, **fields)


def register(gathering_id, email, mode=None, **details):
    return service.register(gathering_id, {"name": email.split("@")[0].title(), "organisation": "Alta kommune",
                                           **details}, email=email, language="nb", mode=mode).registration


def with_link(gathering_id):
    online.set_video_link(gathering_id, LINK, MEETING_ID, PASSCODE)


def start(gathering) -> None:
    """The gathering began a few minutes ago (registrations were made before)."""
    gathering.starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()


# --- seats per side ---------------------------------------------------------------------------

def test_each_side_has_its_own_seats_and_waiting_list(ctx):
    g = hybrid(capacity=1, online_capacity=1)
    assert [register(g.id, f"{n}@x.no", mode).status for n, mode in enumerate(
        ["on_site", "on_site", "online", "online"])] == ["confirmed", "waitlisted", "confirmed", "waitlisted"]
    modes = db.session.execute(select(Registration.attendance_mode).order_by(Registration.id)).scalars().all()
    assert modes == ["on_site", "on_site", "online", "online"]


def test_unlimited_online_seats_and_a_side_the_gathering_does_not_offer(ctx):
    g = hybrid(capacity=1, online_capacity=None)
    assert {register(g.id, f"{n}@x.no", "online").status for n in range(30)} == {"confirmed"}
    on_site_only = factories.gathering(capacity=1)
    assert register(on_site_only.id, "a@x.no", "online").attendance_mode == "on_site"
    online_only = factories.gathering(mode="online", capacity=1, venue="")
    first, second = register(online_only.id, "a@x.no"), register(online_only.id, "b@x.no")
    assert (first.attendance_mode, first.status, second.status) == ("online", "confirmed", "waitlisted")


def test_a_full_side_without_waiting_list_is_refused_with_its_own_message(ctx):
    g = hybrid(capacity=1, online_capacity=1, waitlist_enabled=False)
    register(g.id, "a@x.no", "online")
    with pytest.raises(Refused) as refused:
        register(g.id, "b@x.no", "online")
    assert refused.value.code == "full" and "på nett" in str(refused.value)
    assert register(g.id, "c@x.no", "on_site").status == "confirmed"


def test_a_freed_seat_promotes_the_next_on_its_own_side_only(ctx):
    g = hybrid(capacity=1, online_capacity=1)
    on_site, online_person = register(g.id, "a@x.no", "on_site"), register(g.id, "b@x.no", "online")
    waiting_on_site, waiting_online = register(g.id, "c@x.no", "on_site"), register(g.id, "d@x.no", "online")
    service.cancel(online_person.id)
    assert db.session.get(Registration, waiting_online.id).status == "confirmed"
    assert db.session.get(Registration, waiting_on_site.id).status == "waitlisted"
    service.cancel(on_site.id)
    assert db.session.get(Registration, waiting_on_site.id).status == "confirmed"


def test_switching_side_takes_a_free_seat_and_promotes_on_the_side_left(ctx):
    g = hybrid(capacity=1, online_capacity=2)
    seated, waiting = register(g.id, "a@x.no", "on_site"), register(g.id, "b@x.no", "on_site")
    revision = db.session.get(Gathering, g.id).revision
    service.switch_mode(seated.id, "online")
    assert db.session.get(Registration, seated.id).attendance_mode == "online"
    assert db.session.get(Registration, seated.id).status == "confirmed"
    assert db.session.get(Registration, waiting.id).status == "confirmed"
    assert db.session.get(Gathering, g.id).revision == revision + 1  # the calendar's place changed
    kinds = db.session.scalars(select(OutboundEmail.kind).where(OutboundEmail.registration_id == seated.id)
                               .order_by(OutboundEmail.id)).all()
    assert kinds[-1] == "mode_changed"


def test_switching_to_a_full_side_is_refused_and_nothing_changes(ctx):
    g = hybrid(capacity=1, online_capacity=1)
    register(g.id, "a@x.no", "online")
    seated = register(g.id, "b@x.no", "on_site")
    with pytest.raises(Refused) as refused:
        service.switch_mode(seated.id, "online")
    assert refused.value.code == "side_full"
    assert db.session.get(Registration, seated.id).attendance_mode == "on_site"


def test_someone_waiting_who_switches_to_a_side_with_room_gets_a_seat(ctx):
    g = hybrid(capacity=1, online_capacity=1)
    register(g.id, "a@x.no", "on_site")
    waiting = register(g.id, "b@x.no", "on_site")
    service.switch_mode(waiting.id, "online")
    found = db.session.get(Registration, waiting.id)
    assert (found.status, found.attendance_mode) == ("confirmed", "online")


@pytest.mark.parametrize("case", ["not_hybrid", "started", "cancelled"])
def test_switching_is_refused_outside_a_hybrid_gathering_before_it_starts(ctx, case):
    g = hybrid(capacity=5, online_capacity=5) if case != "not_hybrid" else factories.gathering()
    person = register(g.id, "a@x.no", "on_site")
    if case == "cancelled":
        service.cancel(person.id)
    with pytest.raises(Refused) as refused:
        service.switch_mode(person.id, "online", now=g.starts_at if case == "started" else None)
    assert refused.value.code == "not_switchable"


def test_a_gathering_made_on_site_again_brings_its_online_participants_on_site(ctx):
    g = hybrid(capacity=5, online_capacity=5)
    person = register(g.id, "a@x.no", "online")
    data = {field: getattr(g, field) for field in gatherings.GATHERING_FIELDS} | {"mode": "on_site"}
    revision = g.revision
    gatherings.update_gathering(g.id, data, notify_participants=True)
    assert db.session.get(Registration, person.id).attendance_mode == "on_site"
    assert db.session.get(Gathering, g.id).revision == revision + 1


# --- the video link ---------------------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [
    (LINK, True), ("https://zoom.us/j/123?pwd=abc", True), ("https://whereby.com/rom", True),
    ("http://teams.example.org/x", False), ("javascript:alert(1)", False), ("data:text/html,hi", False),
    ("https://user@evil.example/x", False), ("https://example.org/a b", False), ("https:///x", False),
    ("https://localhost/x", False), ("https://example.org:8443/x", False), ("ftp://example.org", False),
    ("HTTPS://example.org/x", True), ("https://exa\tmple.org", False),
])
def test_only_an_https_meeting_address_is_a_video_link(value, ok):
    assert is_video_link(value) is ok


def test_a_new_link_tells_confirmed_online_participants_only_and_the_log_never_holds_it(ctx):
    g = hybrid(capacity=1, online_capacity=1)
    on_site, online_person = register(g.id, "a@x.no", "on_site"), register(g.id, "b@x.no", "online")
    waiting = register(g.id, "c@x.no", "online")
    revision = db.session.get(Gathering, g.id).revision
    assert online.set_video_link(g.id, LINK, MEETING_ID, PASSCODE) == 1
    assert online.set_video_link(g.id, LINK, MEETING_ID, PASSCODE) == 0  # unchanged: nobody is told again
    ready = db.session.scalars(select(OutboundEmail.registration_id).where(OutboundEmail.kind == "link_ready")).all()
    assert ready == [online_person.id] and on_site.id not in ready and waiting.id not in ready
    assert db.session.get(Gathering, g.id).revision == revision + 1
    summaries = " ".join(db.session.scalars(select(AuditEntry.summary)).all())
    assert "Video link changed" in summaries
    assert LINK not in summaries and PASSCODE not in summaries and MEETING_ID not in summaries


def test_an_on_site_gathering_has_no_video_link(ctx):
    g = factories.gathering()
    with pytest.raises(Refused):
        online.set_video_link(g.id, LINK)


def test_mails_and_invites_carry_the_link_to_confirmed_online_participants_only(app, smtp, deliver):
    with app.app_context():
        g = hybrid(capacity=1, online_capacity=1)
        with_link(g.id)
        register(g.id, "paa@x.no", "on_site")
        register(g.id, "nett@x.no", "online")
        register(g.id, "vent@x.no", "online")
        gid = g.id
    deliver()
    [to_online] = smtp.to("nett@x.no")
    body = text_part(to_online) + to_online.get_body(("html",)).get_content()
    assert LINK.replace("%", "%") in body and PASSCODE in body and MEETING_ID in body
    invite = calendar_parts(to_online)[0].get_content()
    unfolded = invite.replace("\r\n ", "")
    assert f"LOCATION:{LINK}" in unfolded and f"URL:{LINK}" in unfolded and "Scandic" not in unfolded
    on_site_invite = calendar_parts(smtp.to("paa@x.no")[0])[0].get_content().replace("\r\n ", "")
    assert "LOCATION:Scandic Alta" in on_site_invite
    for message in smtp.to("paa@x.no") + smtp.to("vent@x.no"):
        assert LINK not in mail_text(message) and PASSCODE not in mail_text(message)
    # Promoted from the online waiting list: now the link comes, with the invite.
    with app.app_context():
        first = db.session.scalar(select(Registration).where(Registration.email == "nett@x.no"))
        service.cancel(first.id)
    deliver()
    promoted = [m for m in smtp.to("vent@x.no") if "plass" in m["Subject"].lower()]
    assert promoted and PASSCODE in text_part(promoted[-1])
    # What the outbox keeps (organisers see it) has the link, meeting id and passcode redacted, invite too.
    with app.app_context():
        for kept in db.session.scalars(select(OutboundEmail).where(OutboundEmail.gathering_id == gid)):
            stored = f"{kept.text_body}{kept.html_body}{kept.ics or ''}"
            assert LINK not in stored and PASSCODE not in stored and MEETING_ID not in stored
            assert "teams.example.org" not in stored.replace("\r\n ", "")


def test_a_link_changed_after_queueing_is_the_one_sent_and_a_switch_on_site_before_sending_gets_none(app, smtp,
                                                                                                     deliver):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        with_link(g.id)
        register(g.id, "a@x.no", "online")
        online.set_video_link(g.id, "https://teams.example.org/l/new-meeting")
        mover = register(g.id, "b@x.no", "online")
        service.switch_mode(mover.id, "on_site")
    deliver()
    assert all("new-meeting" in text_part(m) for m in smtp.to("a@x.no"))
    assert not any("teams.example.org" in mail_text(m) for m in smtp.to("b@x.no"))


def test_the_manage_page_shows_the_link_to_a_confirmed_online_participant_and_lets_them_switch(app, client, smtp,
                                                                                              deliver):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        with_link(g.id)
        slug = g.slug
    page = f"/samlinger/{slug}/pamelding"
    data = form_data(email="nett@alta.kommune.no", attendance_mode="online", csrf_token=csrf_token(client, page))
    assert client.post(page, data=data).status_code == 302
    deliver()
    link = manage_link(smtp.to("nett@alta.kommune.no")[0])
    html = client.get(link).get_data(as_text=True)
    assert PASSCODE in html and "teams.example.org" in html
    token = csrf_token(client, link)
    assert client.post(f"{link}/deltakelse", data={"csrf_token": token, "mode": "on_site"}).status_code == 302
    html = client.get(link).get_data(as_text=True)
    assert PASSCODE not in html and "teams.example.org" not in html
    client.post(f"{link}/deltakelse", data={"csrf_token": token, "mode": "online"})
    assert PASSCODE in client.get(link).get_data(as_text=True)


def test_the_hybrid_form_asks_which_side(app, client):
    with app.app_context():
        slug = hybrid(capacity=5, online_capacity=5).slug
    page = f"/samlinger/{slug}/pamelding"
    response = client.post(page, data=form_data(csrf_token=csrf_token(client, page)))
    assert response.status_code == 422
    assert "Velg om du deltar på stedet eller på nett" in response.get_data(as_text=True)


# --- on the day -------------------------------------------------------------------------------

def test_check_in_and_the_printable_list_are_for_those_on_site(app, organiser_client):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        register(g.id, "paa@x.no", "on_site", name="Paal Paa Stedet")
        register(g.id, "nett@x.no", "online", name="Nina Nett")
        assert [r.email for r in lists.checkin_list(g.id)] == ["paa@x.no"]
        gid = g.id
    for path in (f"/arrangor/samlinger/{gid}/innsjekk", f"/arrangor/samlinger/{gid}/deltakerliste"):
        html = organiser_client.get(path).get_data(as_text=True)
        assert "Paal Paa Stedet" in html and "Nina Nett" not in html
    listed = organiser_client.get(f"/arrangor/samlinger/{gid}/deltakere").get_data(as_text=True)
    assert re.search(r"Paal Paa Stedet.*?<span class=\"hint\">På stedet</span>", listed, re.S)
    assert re.search(r"Nina Nett.*?<span class=\"hint\">På nett</span>", listed, re.S), "each person's side"
    checkin = organiser_client.get(f"/arrangor/samlinger/{gid}/innsjekk").get_data(as_text=True)
    assert "<strong data-arrived>0</strong> av <strong data-expected>1</strong>" in checkin, "the count is on site"


def test_online_attendance_is_marked_like_an_arrival(app, organiser_client):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        on_site, person = register(g.id, "paa@x.no", "on_site"), register(g.id, "nett@x.no", "online")
        gid, pid, oid = g.id, person.id, on_site.id
        start(g)
    page = f"/arrangor/samlinger/{gid}/nett"
    token = csrf_token(organiser_client, page)
    assert organiser_client.post(f"/arrangor/pameldinger/{pid}/deltok",
                                 data={"csrf_token": token, "attended": "1"}).status_code == 302
    organiser_client.post(f"/arrangor/pameldinger/{oid}/deltok", data={"csrf_token": token, "attended": "1"})
    with app.app_context():
        assert db.session.get(Registration, pid).checked_in_at is not None
        assert db.session.get(Registration, oid).checked_in_at is None  # on site: the check-in page does it


@pytest.mark.parametrize("report", [
    "\ufeffName;Email;Joined\nNina;NETT@x.no;10:00\nUkjent;ukjent@x.no;10:02\nPaal;paa@x.no;10:03\n",
    "Full Name,User Action,Timestamp,Participant ID (UPN)\nNina,Joined,1/1,<nett@x.no>\n"
    "Ukjent,Joined,1/1,ukjent@x.no\nPaal,Joined,1/1,paa@x.no\n",
])
def test_the_attendance_report_marks_online_participants_by_address_and_counts_the_rest(ctx, report):
    g = hybrid(capacity=5, online_capacity=5)
    person, on_site = register(g.id, "nett@x.no", "online"), register(g.id, "paa@x.no", "on_site")
    start(g)
    result = online.import_report(g.id, report.encode())
    assert (result.matched, result.unmatched) == (1, 2)
    assert db.session.get(Registration, person.id).checked_in_at is not None
    assert db.session.get(Registration, on_site.id).checked_in_at is None


def test_a_teams_report_in_utf16_with_tabs_is_read(ctx):
    g = hybrid(capacity=5, online_capacity=5)
    person = register(g.id, "nett@x.no", "online")
    start(g)
    report = "Navn\tE-post\r\nNina\tnett@x.no\r\n".encode("utf-16")
    assert online.import_report(g.id, report).matched == 1
    assert db.session.get(Registration, person.id).checked_in_at is not None


@pytest.mark.parametrize("data, code", [(b"", "empty"), (b"a" * (2**20 + 1), "too_large"),
                                        (b"\xff\xfe\x00\xd8", "unreadable"), (b"no addresses here\n", "unreadable")])
def test_a_bad_attendance_report_is_refused(ctx, data, code):
    g = hybrid()
    with pytest.raises(Refused) as refused:
        online.import_report(g.id, data)
    assert refused.value.code == code


def test_the_report_upload_page_says_how_many_matched(app, organiser_client):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        register(g.id, "nett@x.no", "online")
        start(g)
        gid = g.id
    page = f"/arrangor/samlinger/{gid}/nett"
    token = csrf_token(organiser_client, page)
    response = organiser_client.post(f"{page}/rapport", data={
        "report-csrf_token": token, "report-report": (io.BytesIO(b"e-post\nnett@x.no\nx@y.no\n"), "rapport.csv")},
        content_type="multipart/form-data", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "1 nettdeltaker" in html and "1 adresse" in html


def test_online_attendance_is_taken_only_from_the_gathering_s_start(app, organiser_client):
    """Before the start neither a mark nor a report counts (the reach page would count it): both are refused
    and the page offers neither; from the start both work."""
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        person = register(g.id, "nett@x.no", "online")
        gid, pid, starts_at = g.id, person.id, g.starts_at
        for attempt in (lambda: online.mark_attended(pid, True), lambda: online.import_report(gid, b"nett@x.no\n"),
                        lambda: online.mark_attended(pid, True, now=starts_at - timedelta(seconds=1))):
            with pytest.raises(Refused) as refused:
                attempt()
            assert refused.value.code == "not_started"
        assert db.session.get(Registration, pid).checked_in_at is None
    page = f"/arrangor/samlinger/{gid}/nett"
    html = organiser_client.get(page).get_data(as_text=True)
    assert "når samlingen har begynt" in html and "/deltok" not in html and "/nett/rapport" not in html
    token = csrf_token(organiser_client, page)
    organiser_client.post(f"/arrangor/pameldinger/{pid}/deltok", data={"csrf_token": token, "attended": "1"})
    upload = organiser_client.post(f"{page}/rapport", data={
        "report-csrf_token": token, "report-report": (io.BytesIO(b"nett@x.no\n"), "rapport.csv")},
        content_type="multipart/form-data")
    assert upload.status_code == 422
    with app.app_context():
        assert db.session.get(Registration, pid).checked_in_at is None
        assert online.mark_attended(pid, True, now=starts_at).checked_in_at is not None


# --- messages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("side, expected", [("on_site", ["paa@x.no"]), ("online", ["nett@x.no"]),
                                            ("all", ["paa@x.no", "nett@x.no"])])
def test_organiser_messages_go_to_one_side_or_both(ctx, side, expected):
    g = hybrid(capacity=5, online_capacity=5)
    register(g.id, "paa@x.no", "on_site")
    register(g.id, "nett@x.no", "online")
    batch, count = messaging.send_message(g, [g.id], "confirmed", "Emne", "Tekst", side)
    sent = db.session.scalars(select(OutboundEmail.recipient).where(OutboundEmail.batch == batch)
                              .order_by(OutboundEmail.id)).all()
    assert sent == expected and count == len(expected)


def test_the_message_form_offers_sides_only_where_someone_can_follow_online(app, organiser_client):
    with app.app_context():
        on_site, mixed = factories.gathering().id, hybrid().id
    assert 'name="side"' not in organiser_client.get(f"/arrangor/samlinger/{on_site}/melding").get_data(as_text=True)
    assert 'name="side"' in organiser_client.get(f"/arrangor/samlinger/{mixed}/melding").get_data(as_text=True)


def test_public_seats_are_shown_per_side(app, client):
    with app.app_context():
        g = hybrid(capacity=2, online_capacity=None)  # 10:00–15:30, 30 days ahead
        slug = g.slug
    html = client.get(f"/samlinger/{slug}").get_data(as_text=True)
    assert "På stedet" in html and "Kan også følges på nett" in html


def test_the_export_says_who_attends_on_site_and_who_online(app, organiser_client):
    with app.app_context():
        g = hybrid(capacity=5, online_capacity=5)
        register(g.id, "paa@x.no", "on_site")
        register(g.id, "nett@x.no", "online")
        gid = g.id
    lines = organiser_client.get(f"/arrangor/samlinger/{gid}/deltakere.csv").get_data(as_text=True).splitlines()
    assert "På stedet eller på nett" in lines[0]
    assert "På stedet" in lines[1] and "paa@x.no" in lines[1] and "På nett" in lines[2] and "nett@x.no" in lines[2]


def test_a_switch_sends_an_invite_with_a_higher_sequence_and_the_new_place(app, smtp, deliver):
    with app.app_context():
        gid = hybrid(capacity=5, online_capacity=5).id
        with_link(gid)
        person_id = register(gid, "a@x.no", "on_site").id
    deliver()  # the confirmation goes out before the switch (a mail is written when it is sent)
    with app.app_context():
        service.switch_mode(person_id, "online")
        revision = db.session.get(Gathering, gid).revision
    deliver()
    first, switched = (calendar_parts(m)[0].get_content().replace("\r\n ", "") for m in smtp.to("a@x.no"))
    assert "LOCATION:Scandic Alta" in first and f"LOCATION:{LINK}" in switched
    assert f"SEQUENCE:{revision}" in switched and f"SEQUENCE:{revision}" not in first
