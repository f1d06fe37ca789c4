"""Attendance: people who came without registering, added at check-in; after the gathering, who came and who did
not, corrected on the participant list; the figures on the pages and in the exports."""

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.mail.models import OutboundEmail
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.refusal import Refused
from samlinger.registration import attendance, service
from samlinger.registration.models import Registration
from samlinger.seats.ledger import ledger
from samlinger.timeutil import oslo_today, utcnow

from .conftest import post, reload


@pytest.fixture
def finnmark(app):
    with app.app_context():
        importing.load_demo()


def number_of(app, name: str) -> str:
    with app.app_context():
        return db.session.scalar(select(Municipality.number).where(Municipality.name == name))


def shift_back(app, gathering_id: int, days: int) -> None:
    """Move a gathering *days* days into the past (registering for it went through the rules before)."""
    with app.app_context():
        gathering = db.session.get(Gathering, gathering_id)
        for field in ("starts_at", "ends_at"):
            setattr(gathering, field, getattr(gathering, field) - timedelta(days=days))
        gathering.registration_deadline -= timedelta(days=days)
        db.session.commit()


def mails_to(app, registration_id: int) -> list[OutboundEmail]:
    with app.app_context():
        return list(db.session.scalars(select(OutboundEmail).where(OutboundEmail.registration_id == registration_id)))


def walk_in(organiser, gid, **data):
    url = f"/arrangor/samlinger/{gid}/innsjekk"
    return post(organiser, f"{url}/uten-pamelding", data, form_url=url)


def new_id(response) -> int:
    return int(re.search(r"#r(\d+)$", response.headers["Location"]).group(1))


# --- walk-ins ------------------------------------------------------------------------------------

def test_a_walk_in_is_confirmed_and_arrived_over_capacity_without_mail(app, organiser, make_gathering, register,
                                                                       finnmark):
    gid = make_gathering(capacity=1)
    register(gid, "Anne Ås", "anne@alta.kommune.no")  # the only seat
    shift_back(app, gid, 30)  # to today
    page = organiser.get(f"/arrangor/samlinger/{gid}/innsjekk").get_data(as_text=True)
    assert "Kom uten påmelding" in page and 'name="municipality"' in page

    response = walk_in(organiser, gid, name="Máret Ánde", municipality=number_of(app, "Karasjok"))
    assert response.status_code == 302 and "/innsjekk#r" in response.headers["Location"]
    maret = reload(app, new_id(response))
    assert (maret.status, maret.walk_in, maret.added_by_organiser, maret.email) == ("confirmed", True, True, "")
    assert maret.checked_in_at is not None and maret.confirmed_at is not None
    assert maret.municipality_id is not None and maret.organisation == ""
    assert maret.email_normalized.startswith("no-address-") and maret.link_secret is None
    # A second one without an address: the one-registration-per-address index still holds.
    other = walk_in(organiser, gid, name="Per Helse", municipality="other", organisation="Helse Nord")
    per = reload(app, new_id(other))
    assert (per.organisation, per.municipality_id, per.walk_in) == ("Helse Nord", None, True)
    assert per.email_normalized != maret.email_normalized
    assert mails_to(app, maret.id) == [] and mails_to(app, per.id) == [], "they are in the room: no mail now"

    with app.app_context():
        counts = ledger(db.session.get(Gathering, gid)).counts
        assert (counts.confirmed, counts.checked_in, counts.walk_ins) == (3, 2, 2), "over capacity: in the room"
    page = organiser.get(f"/arrangor/samlinger/{gid}/innsjekk").get_data(as_text=True)
    assert re.search(r"<strong data-arrived>2</strong>.*<strong data-expected>3</strong>", page)
    assert re.search(rf'id="r{maret.id}" class="arrived"', page)
    item = page[page.index(f'id="r{maret.id}"'):]
    item = item[:item.index("</li>")]
    assert "Kom uten påmelding" in item and "Angre" not in item, "walk-ins are arrived, without an undo"
    # Undoing a walk-in's arrival (a stale page, a hand-made request) is refused and changes nothing.
    url = f"/arrangor/samlinger/{gid}/innsjekk"
    undo = post(organiser, f"/arrangor/pameldinger/{maret.id}/innsjekk", {"present": "0"}, form_url=url)
    assert undo.status_code == 409
    assert reload(app, maret.id).checked_in_at == maret.checked_in_at

    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.walk_in")))
        assert [e.object_id for e in entries] == [maret.id, per.id]
        assert all("Máret" not in e.summary and "Helse" not in e.summary for e in entries)


def test_a_walk_in_with_an_address_gets_later_mail_and_no_registered_address_twice(app, organiser, make_gathering,
                                                                                  register, finnmark):
    gid = make_gathering()
    anne = register(gid, "Anne Ås", "anne@alta.kommune.no")
    shift_back(app, gid, 30)  # to today
    response = walk_in(organiser, gid, name="Ola Vadsø", municipality=number_of(app, "Vadsø"),
                       email="Ola@Vadso.Kommune.no")
    ola = reload(app, new_id(response))
    assert (ola.email_normalized, ola.walk_in) == ("ola@vadso.kommune.no", True)
    assert ola.link_secret is not None and mails_to(app, ola.id) == []
    nameless = reload(app, new_id(walk_in(organiser, gid, name="Uten Adresse", municipality="other",
                                          organisation="Helse Nord")))

    # An address already registered (or given to another walk-in) is refused, and nothing is added.
    for email in ("anne@alta.kommune.no", "ola@vadso.kommune.no"):
        refused = walk_in(organiser, gid, name="Noen", municipality="other", organisation="X", email=email)
        assert refused.status_code == 409
        assert "finnes allerede en påmelding" in refused.get_data(as_text=True)
    with app.app_context():
        assert ledger(db.session.get(Gathering, gid)).counts.walk_ins == 2

    # Later mail to confirmed participants reaches the walk-in with an address, not the one without.
    with app.app_context():
        from samlinger.messaging import service as messaging

        _batch, sent = messaging.send_message(db.session.get(Gathering, gid), [gid], "confirmed", "Takk", "Takk!")
        assert sent == 2
    assert [m.recipient for m in mails_to(app, ola.id) if m.kind == "message"] == ["Ola@vadso.kommune.no"]
    assert mails_to(app, nameless.id) == []
    assert any(m.kind == "message" for m in mails_to(app, anne))
    # Cancelled (added by mistake), the one without an address is not written to either.
    with app.app_context():
        service.cancel(nameless.id, by_organiser=True)
    assert mails_to(app, nameless.id) == []


def test_walk_ins_only_from_the_day_of_a_published_gathering(app, organiser, make_gathering, finnmark):
    later = make_gathering()  # in 30 days
    page = organiser.get(f"/arrangor/samlinger/{later}/innsjekk").get_data(as_text=True)
    assert "Kom uten påmelding" not in page
    refused = walk_in(organiser, later, name="For Tidlig", municipality="other", organisation="X")
    assert refused.status_code == 409 and "fra samlingsdagen" in refused.get_data(as_text=True)

    today = make_gathering(day=oslo_today())
    with app.app_context():
        db.session.get(Gathering, today).status = "cancelled"
        db.session.commit()
    assert walk_in(organiser, today, name="Avlyst", municipality="other", organisation="X").status_code == 409
    with app.app_context():
        assert db.session.scalar(select(Registration.id)) is None

    open_today = make_gathering(day=oslo_today())
    empty = walk_in(organiser, open_today, name="", municipality="")
    assert empty.status_code == 422
    html = empty.get_data(as_text=True)
    assert 'id="error-summary"' in html and "Skriv inn navnet ditt" in html
    assert walk_in(organiser, open_today, name="Ingen Kommune", municipality="other").status_code == 422
    assert walk_in(organiser, open_today, name="X", municipality="other", organisation="Y",
                   email="ikke-en-adresse").status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Registration.id)) is None


# --- after the gathering -------------------------------------------------------------------------

def test_after_the_end_the_list_shows_and_corrects_who_came(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=2)
    anne = register(gid, "Anne Ås", "anne@alta.kommune.no")
    bard = register(gid, "Bård Bø", "bard@alta.kommune.no")
    waiting = register(gid, "Venter Vik", "venter@alta.kommune.no")
    url = f"/arrangor/samlinger/{gid}/deltakere"
    page = organiser.get(url).get_data(as_text=True)
    assert "Ikke møtt" not in page and "Oppmøte" not in page, "undecided until the gathering has ended"
    early = post(organiser, f"/arrangor/pameldinger/{bard}/oppmote", {"attended": "1"}, form_url=url)
    assert early.status_code == 302 and reload(app, bard).checked_in_at is None

    shift_back(app, gid, 32)
    with app.app_context():  # Anne checked in at the door, ten minutes after the start
        registration = db.session.get(Registration, anne)
        registration.checked_in_at = registration.gathering.starts_at + timedelta(minutes=10)
        db.session.commit()
    page = organiser.get(url).get_data(as_text=True)
    assert re.search(r"<strong>1</strong> møtt.*<strong>1</strong> ikke møtt.*<strong>0</strong> kom uten påmelding",
                     page, re.S)
    row = lambda rid: page[page.index(f'id="r{rid}"'):page.index("</tr>", page.index(f'id="r{rid}"'))]  # noqa: E731
    assert "<strong>Møtt</strong>" in row(anne) and "sjekket inn kl. " in row(anne)
    assert "<strong>Ikke møtt</strong>" in row(bard) and "Registrer som møtt" in row(bard)
    assert "Møtt" not in row(waiting), "the waiting list neither came nor stayed away"

    before = utcnow()
    assert post(organiser, f"/arrangor/pameldinger/{bard}/oppmote", {"attended": "1"},
                form_url=url).headers["Location"].endswith(f"#r{bard}")
    marked = reload(app, bard).checked_in_at
    assert marked >= before, "the time of the correction, after the end: no arrival time is made up"
    # A second tap keeps the first correction.
    post(organiser, f"/arrangor/pameldinger/{bard}/oppmote", {"attended": "1"}, form_url=url)
    assert reload(app, bard).checked_in_at == marked
    page = organiser.get(url).get_data(as_text=True)
    assert "registrert i etterkant" in row(bard) and "<strong>2</strong> møtt" in page
    assert "Bård Bø er registrert som møtt." in page

    post(organiser, f"/arrangor/pameldinger/{anne}/oppmote", {"attended": "0"}, form_url=url)
    assert reload(app, anne).checked_in_at is None
    refused = post(organiser, f"/arrangor/pameldinger/{waiting}/oppmote", {"attended": "1"}, form_url=url)
    assert refused.status_code == 302 and reload(app, waiting).checked_in_at is None
    assert "Bare en bekreftet deltaker" in organiser.get(url).get_data(as_text=True)
    assert post(organiser, f"/arrangor/pameldinger/{anne}/oppmote", {"attended": "x"},
                form_url=url).status_code == 400

    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "registration.attendance")
                                          .order_by(AuditEntry.id)))
        assert [(e.object_id, "not attended" in e.summary) for e in entries] == [(bard, False), (anne, True)]
        assert all("Anne" not in e.summary and "Bård" not in e.summary for e in entries)


def test_the_rules_refuse_what_they_must(app, make_gathering, register):
    gid = make_gathering(capacity=1)
    anne = register(gid, "Anne Ås", "anne@alta.kommune.no")
    waiting = register(gid, "Venter Vik", "venter@alta.kommune.no")
    with app.app_context():
        with pytest.raises(Refused) as refused:
            attendance.mark(anne, True)
        assert refused.value.code == "not_ended"
        ended = db.session.get(Gathering, gid).ends_at + timedelta(minutes=1)
        with pytest.raises(Refused) as refused:
            attendance.mark(waiting, True, now=ended)
        assert refused.value.code == "not_confirmed"
        assert attendance.mark(anne, True, now=ended).checked_in_at == ended

        day = db.session.get(Gathering, gid).starts_at
        with pytest.raises(Refused) as refused:
            attendance.add_walk_in(gid, {"name": "X", "organisation": "Y"}, language="nb",
                                   now=day - timedelta(days=1))
        assert refused.value.code == "too_early"
        added = attendance.add_walk_in(gid, {"name": "X", "organisation": "Y"}, language="nb", now=day)
        with pytest.raises(Refused) as refused:
            attendance.mark(added.id, False, now=ended)
        assert refused.value.code == "walk_in", "a walk-in came; one added by mistake is cancelled instead"
        with pytest.raises(Refused) as refused:
            attendance.check_in(added.id, False)
        assert refused.value.code == "walk_in"
        assert db.session.get(Registration, added.id, populate_existing=True).checked_in_at == day


def test_one_definition_in_python_and_sql(app, make_gathering, register):
    """attended = confirmed and checked in; no-show = confirmed, not checked in, ended; walk-ins attended."""
    gid = make_gathering(capacity=2)
    came = register(gid, "Anne Ås", "anne@alta.kommune.no")
    stayed_away = register(gid, "Bård Bø", "bard@alta.kommune.no")
    waiting = register(gid, "Venter Vik", "venter@alta.kommune.no")
    gone = register(gid, "Borte Bakke", "borte@alta.kommune.no")
    with app.app_context():
        gathering = db.session.get(Gathering, gid)
        service.cancel(gone)  # Venter Vik gets the seat
        service.cancel(waiting)
        attendance.check_in(came, True, now=gathering.starts_at)
        walked = attendance.add_walk_in(gid, {"name": "W", "organisation": "Y"}, language="nb",
                                        now=gathering.starts_at).id
        during, after = gathering.starts_at + timedelta(hours=1), gathering.ends_at

        def states(now):
            in_python = {r.id: attendance.state(r, now) for r in db.session.scalars(select(Registration))}
            in_sql = dict(db.session.execute(select(Registration.id, attendance.state_expression(now))
                                             .join(Registration.gathering)).all())
            assert in_python == in_sql
            return in_python

        assert states(during) == {came: "attended", stayed_away: None, waiting: None, gone: None,
                                  walked: "attended"}
        assert states(after) == {came: "attended", stayed_away: "no_show", waiting: None, gone: None,
                                 walked: "attended"}
        counts = ledger(db.session.get(Gathering, gid)).counts
        assert attendance.summary(gathering, counts, during) is None
        assert attendance.summary(gathering, counts, after) == attendance.Summary(attended=2, no_shows=1, walk_ins=1)


def test_exports_and_dashboard_tell_who_came(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=5)
    register(gid, "Anne Ås", "anne@alta.kommune.no")
    bard = register(gid, "Bård Bø", "bard@alta.kommune.no")
    shift_back(app, gid, 30)  # to today
    walk_in(organiser, gid, name="Walk Inn", municipality="", organisation="Helse Nord")
    with app.app_context():
        attendance.check_in(bard, True)
        gathering = db.session.get(Gathering, gid)
        ended = gathering.has_ended()

    def export():
        data = organiser.get(f"/arrangor/samlinger/{gid}/deltakere.csv").get_data().decode("utf-8-sig")
        return {row["Navn"]: row for row in csv.DictReader(io.StringIO(data), delimiter=";")}

    rows = export()
    if not ended:  # later on the day of the gathering it may have ended already; until then nobody is a no-show
        assert [rows[n]["Møtt"] for n in ("Anne Ås", "Bård Bø", "Walk Inn")] == ["", "Ja", "Ja"]
    assert [rows[n]["Kom uten påmelding"] for n in ("Anne Ås", "Bård Bø", "Walk Inn")] == ["Nei", "Nei", "Ja"]

    shift_back(app, gid, 1)
    rows = export()
    assert [rows[n]["Møtt"] for n in ("Anne Ås", "Bård Bø", "Walk Inn")] == ["Nei", "Ja", "Ja"]
    dashboard = organiser.get("/arrangor/").get_data(as_text=True)
    assert "2 møtt, 1 ikke møtt, 1 uten påmelding" in dashboard


def test_nothing_is_written_to_a_registration_without_an_address(app, make_gathering, register):
    """A walk-in who gave no address (like an anonymised registration) is left out of every mail: reminders,
    a changed time, a cancelled gathering."""
    from samlinger.gatherings import service as gatherings
    from samlinger.registration.reminders import send_reminders

    gid = make_gathering()
    register(gid, "Anne Ås", "anne@alta.kommune.no")
    with app.app_context():
        gathering = db.session.get(Gathering, gid)
        now = gathering.starts_at - timedelta(hours=1)  # on the day, before the start: reminders still go out
        nameless = attendance.add_walk_in(gid, {"name": "Uten Adresse", "organisation": "Helse Nord"},
                                          language="nb", now=now).id
        assert send_reminders(now=now) >= 1
        gatherings.cancel_gathering(gid, "Storm")
        mails = list(db.session.scalars(select(OutboundEmail)))
        assert {m.kind for m in mails} >= {"reminder", "gathering_cancelled"}
        assert [m for m in mails if m.registration_id == nameless or not m.recipient] == []


def test_a_walk_in_without_an_address_is_corrected_without_one_and_may_get_one(app, organiser, make_gathering):
    gid = make_gathering()
    shift_back(app, gid, 30)  # to today
    nameless = new_id(walk_in(organiser, gid, name="Per Hanssen", municipality="other", organisation="Helse Nord"))
    key = reload(app, nameless).email_normalized
    url = f"/arrangor/pameldinger/{nameless}/endre"
    page = organiser.get(url).get_data(as_text=True)
    assert "E-post (valgfritt)" in page and "Send ny lenke" not in page, "no address: no link to renew"
    assert post(organiser, url, {"name": "Per Hansen", "email": "", "organisation": "Helse Nord"},
                form_url=url).status_code == 302
    corrected = reload(app, nameless)
    assert (corrected.name, corrected.email, corrected.email_normalized) == ("Per Hansen", "", key)
    assert mails_to(app, nameless) == []
    # Given an address later, the person gets their link to it.
    assert post(organiser, url, {"name": "Per Hansen", "email": "per@helse-nord.no", "organisation": "Helse Nord"},
                form_url=url).status_code == 302
    assert reload(app, nameless).email_normalized == "per@helse-nord.no"
    assert [m.kind for m in mails_to(app, nameless)] == ["new_link"]
    # Anyone else still needs an address.
    anne = new_id(walk_in(organiser, gid, name="Anne Ås", municipality="other", organisation="X",
                          email="anne@alta.kommune.no"))
    url = f"/arrangor/pameldinger/{anne}/endre"
    assert post(organiser, url, {"name": "Anne Ås", "email": "", "organisation": "X"},
                form_url=url).status_code == 422
