"""The public form cannot be turned against people: no links in what is mailed in the service's name,
a cap on the mail one address gets, and a receipt that does not tell who is registered."""

import re
import unicodedata

import pytest

from samlinger.extensions import db
from samlinger.refusal import Refused
from samlinger.registration.models import Registration, normalise_email

from .conftest import csrf_token, form_data
from .organiser.conftest import organiser, post  # noqa: F401 - the organiser fixture

LINKS = [
    "Kari. Kontoen din er sperret, logg inn på https://evil.example/x i dag",
    "Kari, se www.statsforvalteren-login.no",
    "Kari evil.example/login",
    "Kari på xn--statsforvaltern-8ib.no",
    "Kari bit.ly/x",
    "Kari, skriv til kari@evil.example",
    "Kari ｈｔｔｐｓ：／／evil",
    "Kari kari＠evil.example",
    "Kari på evil。com",
    "Kari på konto-sperret.no",
    "Kari vg.no",
    "Kari login.com",
    "Kari på alta-kommune.lol",
    "Kari på alta-kommune.bond",
    "Kari på alta-kommune.services",
    "Kari på alta-kommune\u200b.no",  # zero-width space
    "Kari på alta-kommune\u00ad.no",  # soft hyphen
    "Kari på alta-kommune\u2060.no",  # word joiner
    "Kari på alta-kommune\ufeff.no",  # zero-width no-break space
    "Kari på alta-kommune\u202e.no",  # right-to-left override
    "Kari på www\u200b.evil",
    "Kari på m.evil.no",
    "Kari på evil.org.uk",
    "Kari t.co/x",
]
ORDINARY = ["Nord-Aurdal kommune", "St. Olavs hospital", "A. B. Hansen", "Øyvind Ærø-Sámi", "Vadsø k.",
            "Avd.leder m.fl.", "Sør-Varanger kommune / NAV", "Dr.philos. Kari O'Neil", "Org.nr. 974 760 983",
            "Rådgiver, M.Sc.", "B.Sc. sykepleie", "Leder avd.IT", "Avd.leder/rådgiver", "Ass.rektor/lærer",
            "Siv.ing. Kari Hansen", "St.meld.nr. 12"]
MESSAGE = "Feltet kan ikke inneholde en nettadresse eller e-postadresse."


def register(client, slug="samling-1", prefix="", **overrides):
    url = f"{prefix}/samlinger/{slug}/pamelding"
    data = form_data(**overrides)
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(Registration))


# --- no links in names, organisations and roles ------------------------------------------------------

@pytest.mark.parametrize("field", ["name", "organisation", "role"])
@pytest.mark.parametrize("value", LINKS)
def test_the_public_form_refuses_links_and_addresses(app, client, make_gathering, field, value):
    make_gathering()
    response = register(client, **{field: value})
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)
    assert count(app) == 0


@pytest.mark.parametrize("field", ["name", "organisation", "role"])
@pytest.mark.parametrize("value", ["Kari\u200bNordmann", "Kari\u00adNordmann", "\u202eKariNordmann",
                                   "KariNordmann\u2066"])
def test_invisible_characters_are_taken_out_of_one_line_fields(app, client, make_gathering, field, value):
    """Nothing invisible reaches a list or a mail: a format character could hide a link or turn text around
    (forms.clean_text, tests/test_text_cleaning.py)."""
    make_gathering()
    response = register(client, **{field: value})
    assert response.status_code == 302
    with app.app_context():
        assert getattr(db.session.scalar(db.select(Registration)), field) == "KariNordmann"


@pytest.mark.parametrize("value", ORDINARY)
def test_ordinary_names_and_organisations_are_welcome(app, client, make_gathering, value):
    make_gathering()
    response = register(client, name=value, organisation=value, role=value)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert count(app) == 1


def test_the_manage_page_and_the_organisers_forms_refuse_links_too(app, client, make_gathering, organiser):  # noqa: F811
    gid = make_gathering()
    from samlinger.registration import service

    with app.app_context():
        outcome = service.register(gid, {"name": "Kari", "organisation": "Alta kommune"},
                                   email="kari@alta.kommune.no", language="nb")
        token, rid = outcome.token, outcome.registration.id
    link = f"/pamelding/{token}"
    edited = client.post(link, data={**form_data(name=LINKS[0]), "csrf_token": csrf_token(client, link)})
    assert MESSAGE in edited.get_data(as_text=True)

    add = f"/arrangor/samlinger/{gid}/deltakere/ny"
    data = {"name": "Ola", "email": "ola@alta.kommune.no", "organisation": "www.evil.example", "language": "nb"}
    assert post(organiser, add, data, form_url=add).status_code == 422
    edit = f"/arrangor/pameldinger/{rid}/endre"
    data = {"name": "Kari", "email": "kari@alta.kommune.no", "organisation": "Alta kommune", "role": "bit.ly/x"}
    assert post(organiser, edit, data, form_url=edit).status_code == 422
    with app.app_context():
        assert db.session.execute(db.select(Registration.name, Registration.role)).all() == [("Kari", "")]


# --- one mailbox, one seat ---------------------------------------------------------------------------

KARI = "kåri@bø.kommune.no"
SPELLINGS = [
    "KÅRI@BØ.KOMMUNE.NO",  # upper case
    unicodedata.normalize("NFD", KARI),  # å as a + combining ring
    "kåri@xn--b-5ga.kommune.no",  # the domain in its ASCII form
    "kåri@ｂø.ｋｏｍｍｕｎｅ.no",  # full-width letters
]


def test_one_mailbox_takes_one_seat_however_it_is_written(app, client, make_gathering):
    make_gathering()
    assert register(client, email=KARI).status_code == 302
    for spelling in SPELLINGS:
        assert register(client, email=spelling, name="Noen Andre").status_code == 302
    assert count(app) == 1
    with app.app_context():
        for spelling in [KARI, *SPELLINGS]:
            assert normalise_email(spelling) == "kåri@xn--b-5ga.kommune.no"


def test_the_address_is_kept_in_a_form_mail_can_be_sent_to(app, client, make_gathering):
    make_gathering()
    register(client, email="Kari@ａｌｔａ.kommune.no")
    with app.app_context():
        stored = db.session.execute(db.select(Registration.email, Registration.email_normalized)).one()
    assert tuple(stored) == ("Kari@alta.kommune.no", "kari@alta.kommune.no")


# --- a cap on the mail one address gets ---------------------------------------------------------------

def queued(app, address: str) -> int:
    from samlinger.mail.models import OutboundEmail

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(OutboundEmail)
                                 .where(OutboundEmail.recipient == address))


def ask_for_link(client, address: str) -> str:
    url = "/samlinger/samling-1/ny-lenke"
    response = client.post(url, data={"email": address, "csrf_token": csrf_token(client, url)},
                           follow_redirects=True)
    assert response.status_code == 200
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", response.get_data(as_text=True)).replace(address, "")


def test_one_address_gets_at_most_five_public_mails_an_hour(app, client, make_gathering, caplog):
    """Signing up again and asking for the link count; the general rate limits are off here
    (RATELIMIT_ENABLED=False, as in every test), and the cap holds all the same."""
    assert app.config["RATELIMIT_ENABLED"] is False and app.config["PUBLIC_MAIL_PER_ADDRESS"] == "5/hour"
    make_gathering()
    register(client, email="kari@alta.kommune.no")  # the confirmation: always sent, not counted
    register(client, email="KARI@alta.kommune.no")  # 1: "you are already registered"
    register(client, email="kari@ａｌｔａ.kommune.no")  # 2: the same mailbox, full-width domain
    register(client, email="ola@alta.kommune.no")  # another address: its own count
    answers = [ask_for_link(client, address) for address in
               ("kari@alta.kommune.no", "Kari@Alta.Kommune.NO", "kari@alta.kommune.no")]  # 3, 4, 5
    assert queued(app, "kari@alta.kommune.no") == 6

    with caplog.at_level("WARNING", logger="samlinger.registration.mailcap"):
        answers.append(ask_for_link(client, "kari@alta.kommune.no"))  # 6: over the cap
        duplicate = register(client, email="kari@alta.kommune.no")
    assert duplicate.status_code == 302
    assert queued(app, "kari@alta.kommune.no") == 6, "over the cap nothing is queued"
    assert answers[3] == answers[0], "the page says the same"
    assert "PUBLIC_MAIL_PER_ADDRESS" in caplog.text and "kari" not in caplog.text.lower()

    assert ask_for_link(client, "ola@alta.kommune.no") == answers[0]
    assert queued(app, "ola@alta.kommune.no") == 2, "another address still gets its mail"


def kinds(app, address: str) -> list[str]:
    from samlinger.mail.models import OutboundEmail

    with app.app_context():
        return list(db.session.scalars(db.select(OutboundEmail.kind).where(OutboundEmail.recipient == address)
                                       .order_by(OutboundEmail.id)))


def test_a_stranger_cannot_use_up_the_cap_before_a_real_registration(app, client, make_gathering):
    """A new registration's confirmation is never dropped; the repeatable mails are."""
    make_gathering(), make_gathering()
    for _ in range(6):  # a stranger: one registration and five sign-ups again, the cap used up
        assert register(client, email="kari@alta.kommune.no").status_code == 302
    assert register(client, "samling-2", email="kari@alta.kommune.no").status_code == 302  # Kari herself
    assert kinds(app, "kari@alta.kommune.no") == ["confirmation", *["manage_link"] * 5, "confirmation"]
    assert register(client, "samling-2", email="kari@alta.kommune.no").status_code == 302
    ask_for_link(client, "kari@alta.kommune.no")
    assert len(kinds(app, "kari@alta.kommune.no")) == 7, "over the cap: the repeatable mails stop"


def test_the_cap_is_per_address_not_per_gathering_and_leaves_organisers_alone(app, client, make_gathering):
    from samlinger.registration import service

    app.config["PUBLIC_MAIL_PER_ADDRESS"] = "2/hour"
    for _ in range(3):
        make_gathering()
    for slug in ("samling-1", "samling-2", "samling-3"):
        assert register(client, slug, email="kari@alta.kommune.no").status_code == 302
    for _ in range(3):  # signed up again: two "here is your link", then the cap
        register(client, "samling-3", email="kari@alta.kommune.no")
    assert count(app) == 3 and queued(app, "kari@alta.kommune.no") == 5
    with app.app_context():
        service.register(make_gathering(), {"name": "Kari", "organisation": "Alta kommune"},
                         email="kari@alta.kommune.no", language="nb", by_organiser=True)
        with pytest.raises(Refused):  # an organiser adding someone already registered is told, nobody mailed
            service.register(1, {"name": "Kari"}, email="kari@alta.kommune.no", language="nb", by_organiser=True)
    assert queued(app, "kari@alta.kommune.no") == 6, "organisers' registrations are always mailed"


def test_plus_addresses_are_one_mailbox_one_seat_and_one_cap(app, client, make_gathering):
    """kari+1@ and kari+2@ reach kari@'s mailbox: one seat, as for the mail cap. The address as typed is kept,
    and mail goes to it."""
    from samlinger.registration.models import normalise_email

    assert normalise_email("Kari+1@alta.kommune.no") == normalise_email("kari@alta.kommune.no")
    assert normalise_email("kari+2@alta.kommune.no") == "kari@alta.kommune.no"
    assert normalise_email("+x@alta.kommune.no") == "+x@alta.kommune.no"
    app.config["PUBLIC_MAIL_PER_ADDRESS"] = "1/hour"
    make_gathering()
    register(client, email="Kari+1@alta.kommune.no")
    register(client, email="kari+2@alta.kommune.no")  # the same mailbox: already registered, the link again
    assert count(app) == 1, "one seat per mailbox"
    with app.app_context():
        assert db.session.scalar(db.select(Registration.email)) == "Kari+1@alta.kommune.no", "kept as typed"
    ask_for_link(client, "kari@alta.kommune.no")  # the same mailbox again: over the cap
    assert (queued(app, "Kari+1@alta.kommune.no"), queued(app, "kari+2@alta.kommune.no")) == (2, 0)


def test_the_cap_fails_open_when_its_storage_is_down(app, client, make_gathering, caplog):
    from .conftest import free_port

    app.config["RATELIMIT_STORAGE_URI"] = f"redis://127.0.0.1:{free_port()}/0"
    make_gathering()
    with caplog.at_level("WARNING", logger="samlinger.registration.mailcap"):
        assert register(client, email="kari@alta.kommune.no").status_code == 302
        assert register(client, email="kari@alta.kommune.no").status_code == 302
        ask_for_link(client, "kari@alta.kommune.no")
    assert kinds(app, "kari@alta.kommune.no") == ["confirmation", "manage_link", "manage_link"]
    assert "not counted" in caplog.text and "kari" not in caplog.text.lower()


def test_the_cap_logs_the_limit_it_uses_and_takes_a_bytes_key(app, client, make_gathering, caplog):
    app.config["PUBLIC_MAIL_PER_ADDRESS"] = "1/hour"
    app.config["SECRET_KEY"] = app.config["SECRET_KEY"].encode()
    make_gathering()
    register(client, email="kari@alta.kommune.no")
    ask_for_link(client, "kari@alta.kommune.no")
    app.config["PUBLIC_MAIL_PER_ADDRESS"] = "9/day"  # read once per process: the log says what counts
    with caplog.at_level("WARNING", logger="samlinger.registration.mailcap"):
        ask_for_link(client, "kari@alta.kommune.no")
    assert queued(app, "kari@alta.kommune.no") == 2
    assert "(1 per 1 hour)" in caplog.text and "9/day" not in caplog.text


def test_the_address_is_read_before_the_lock_and_the_cap_asked_after_it(app, client, make_gathering, monkeypatch):
    """Every registration for the gathering waits on its lock: nothing slow is done while holding it."""
    from samlinger.registration import mailcap, service

    events = []

    def spy(name, function):
        def wrapped(*args, **kwargs):
            events.append(name if name != "cap" else f"cap, in a transaction: {db.session().in_transaction()}")
            return function(*args, **kwargs)
        return wrapped

    for name in ("normalise_email", "canonical_email", "locked"):
        monkeypatch.setattr(service, name, spy(name, getattr(service, name)))
    monkeypatch.setattr(mailcap, "allow", spy("cap", mailcap.allow))
    make_gathering()
    register(client, email="kari@alta.kommune.no")
    register(client, email="kari@alta.kommune.no")
    after = "cap, in a transaction: False"
    first = ["normalise_email", "canonical_email", "locked"]  # a new registration: no cap to ask
    assert events == first + first + [after]
    assert queued(app, "kari@alta.kommune.no") == 2


# --- a receipt that does not tell who is registered ----------------------------------------------------

def main_content(html: str) -> str:
    return re.search(r"<main\b.*?</main>", html, re.S).group(0)


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_receipt_is_the_same_for_a_new_and_an_already_registered_address_and_says_what_happened(
        app, make_gathering, language):
    make_gathering(capacity=1)
    receipts = []
    # A new address that gets the seat, a new address on the waiting list, an address already registered.
    for address in ("kari@alta.kommune.no", "ola@alta.kommune.no", "kari@alta.kommune.no"):
        browser = app.test_client()
        response = register(browser, prefix="" if language == "nb" else f"/{language}", email=address, name="Noen")
        assert response.status_code == 302
        receipt = browser.get(response.headers["Location"])
        assert receipt.status_code == 200 and receipt.headers["Cache-Control"] == "no-store"
        page = main_content(receipt.get_data(as_text=True))
        assert address in page
        receipts.append(page.replace(address, "ADDRESS"))
    # The receipt says what a new registration gets now (a seat, then the waiting list): the address already
    # registered, sent when the gathering is full, reads exactly as the new address put on the waiting list.
    assert receipts[1] == receipts[2] and receipts[0] != receipts[1]
    registered, waiting = ("Du er påmeldt", "Du står på ventelisten") if language == "nb" else (
        "Du er påmeld", "Du står på ventelista")
    assert registered in receipts[0] and waiting not in receipts[0]
    assert waiting in receipts[1] and registered not in receipts[1]
    on_its_way = "En e-post er på vei til" if language == "nb" else "Ein e-post er på veg til"
    assert all(on_its_way in receipt for receipt in receipts)
    assert all(("på stedet" if language == "nb" else "på staden") in receipt for receipt in receipts)
    with app.app_context():
        statuses = db.session.execute(db.select(Registration.email, Registration.status).order_by(Registration.id))
        assert statuses.all() == [("kari@alta.kommune.no", "confirmed"), ("ola@alta.kommune.no", "waitlisted")]


def test_the_session_does_not_tell_either(app, make_gathering):
    """The session cookie can be read (it is signed, not encrypted): it holds the same kind of thing both times."""
    make_gathering()
    kept = []
    for _ in range(2):
        browser = app.test_client()
        register(browser, email="kari@alta.kommune.no")
        with browser.session_transaction() as session:
            kept.append(dict(session["receipt"]))
    assert kept[0] == kept[1]
