"""One cleaner for stored text (`forms.clean_text`), used by every form, import and upload: NFC, no control
characters but line breaks and tabs, no bidi overrides or isolates, no zero-width or other invisible format
characters; every letter Norwegian and Sami need kept. Each field is tested the way its text arrives."""

import importlib
import inspect
import pkgutil
import re
import sys
import unicodedata

import pytest
from flask_wtf import FlaskForm
from sqlalchemy import select

import samlinger
from samlinger import forms
from samlinger.documents.models import Document
from samlinger.evaluations.models import EvaluationAnswer, EvaluationQuestion
from samlinger.extensions import db
from samlinger.forms import clean_text
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.questions.models import Question
from samlinger.registration.models import Registration

from .conftest import csrf_token, form_data, log_in_as
from .organiser.test_documents import PDF, past_gathering
from .organiser.test_documents import upload as upload_file
from .test_evaluations import links, open_evaluation
from .test_evaluations import past_gathering as evaluated_gathering

LETTERS = "ÁáČčĐđŊŋŠšŦŧŽžÆæØøÅåÄäÖöÏïÂâ"
#: what no stored text may hold: controls but \n and \t, bidi embeddings, overrides, isolates and marks,
#: zero-width characters, the byte order mark, the word joiner and the soft hyphen
HIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069"
                    "\ufeff]")
#: «Nordmann» with every kind of hidden character in it
DIRTY = "Nord\u200bma\u202en\u2066n\u2069\u200d\ufeff\u2060\x1b\u00ad"


def test_the_cleaner_takes_out_what_hides_and_keeps_every_letter():
    assert clean_text(DIRTY) == "Nordmann"
    assert clean_text("\u202eenummok atlA") == "enummok atlA"
    assert clean_text("a\r\nb\rc\u2028d\u2029e\x85f\tg") == "a\nb\nc\nd\ne\nf\tg"
    decomposed = unicodedata.normalize("NFD", LETTERS)
    assert decomposed != LETTERS and clean_text(decomposed) == LETTERS
    assert clean_text(f"a\u200b\u030a{LETTERS}") == f"å{LETTERS}", "a mark after a hidden character joins its letter"
    assert clean_text("Čáhcesuolu 😀 Ŧ") == "Čáhcesuolu 😀 Ŧ"
    assert clean_text(None) is None and clean_text(3) == 3


def test_every_form_is_a_cleaning_form():
    """A new form that forgets the base would store what the cleaner takes out: every form derives from it."""
    for module in pkgutil.walk_packages(samlinger.__path__, "samlinger."):
        importlib.import_module(module.name)
    modules = [m for name, m in list(sys.modules.items()) if name.startswith("samlinger")]
    found = {cls for module in modules for _name, cls in inspect.getmembers(module, inspect.isclass)
             if issubclass(cls, FlaskForm) and cls.__module__.startswith("samlinger")}
    assert len(found) > 15
    assert sorted(cls.__name__ for cls in found if not issubclass(cls, forms.Form)) == []


# --- registration fields ----------------------------------------------------------------------------------

def test_registration_fields_are_stored_clean(app, client, make_gathering):
    make_gathering()
    url = "/samlinger/samling-1/pamelding"
    response = client.post(url, data={**form_data(
        name=f"Kari {DIRTY}", organisation="Alta\u200b kommune", role="Prosjekt\u202eleder",
        email="kari\u200b@alta.kommune.no", needs="Vegetar\u2066\r\nRullestol\x1b"),
        "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        r = db.session.scalar(select(Registration))
        assert (r.name, r.organisation, r.role, r.email, r.needs) == (
            "Kari Nordmann", "Alta kommune", "Prosjektleder", "kari@alta.kommune.no", "Vegetar\nRullestol")


def test_a_line_break_in_a_name_is_still_refused(app, client, make_gathering):
    make_gathering()
    url = "/samlinger/samling-1/pamelding"
    response = client.post(url, data={**form_data(name="Kari\nBcc: x@y.no"), "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422


# --- question labels and evaluation free text -----------------------------------------------------------

def test_question_labels_are_stored_clean(app, client, make_gathering):
    gid = make_gathering()
    log_in_as(app, client)
    url = f"/arrangor/samlinger/{gid}/sporsmal"
    response = client.post(url, data={"label": f"Kommer du til {DIRTY}-middagen?", "kind": "choice",
                                      "choices": "Ja\u200b\nNei\u202e", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    evaluation = f"/arrangor/samlinger/{gid}/evaluering"
    token = csrf_token(client, evaluation)
    client.post(f"{evaluation}-ny", data={"csrf_token": token})
    assert client.post(f"{evaluation}-sporsmal", data={"csrf_token": token, "label": "Var \u202elokalet\u200b bra?",
                                                        "kind": "text"}).status_code == 302
    with app.app_context():
        question = db.session.scalar(select(Question))
        assert (question.label, question.choices) == ("Kommer du til Nordmann-middagen?", ["Ja", "Nei"])
        labels = db.session.scalars(select(EvaluationQuestion.label).where(EvaluationQuestion.label != "")).all()
        assert labels == ["Var lokalet bra?"]


def test_evaluation_free_text_is_stored_clean(app, client, smtp, deliver):
    gid = evaluated_gathering(app, attended=1, others=False)
    open_evaluation(app, gid)
    deliver()
    link = links(smtp)["p0@alta.kommune.no"]
    html = client.get(link).get_data(as_text=True)
    names = re.findall(r'name="(q_\d+)"', html)
    data = dict(zip(dict.fromkeys(names), ["4", "5", f"Mer {DIRTY}\r\npå\u2067 slutten", "Ga\u0301ldu"], strict=False))
    assert client.post(link, data={**data, "csrf_token": csrf_token(client, link)}).status_code == 302
    with app.app_context():
        answers = db.session.scalar(select(EvaluationAnswer.answers))
    texts = sorted(v for v in answers.values() if isinstance(v, str))
    assert texts == ["Gáldu", "Mer Nordmann\npå slutten"], texts


# --- municipality names from an import ------------------------------------------------------------------

def test_an_imported_alta_with_a_zero_width_space_is_alta(app, client):
    """Imported with a zero-width space (or a bidi mark, or decomposed), «Alta» is the Alta already there: not
    a second name beside it in the public list, and the import changes nothing."""
    with app.app_context():
        importing.load("number;name;sami_name;language_decision\n5601;Alta;;bokmål\n5610;Karasjok;Kárášjohka;"
                       "bokmål\n".encode())
        result = importing.load("number;name;sami_name;language_decision\n5601;Al\u200bta\u202c;;bokmål\n"
                                f"5610;Karasjok\ufeff;{unicodedata.normalize('NFD', 'Kárášjohka')}\u2066;"
                                "bokmål\n".encode(), county="Finn\u200bmark")
        names = db.session.execute(select(Municipality.name, Municipality.sami_name, Municipality.county)
                                   .order_by(Municipality.number)).all()
    assert [tuple(n) for n in names] == [("Alta", "", "Finnmark"), ("Karasjok", "Kárášjohka", "Finnmark")]
    assert (result.added, result.changed) == (0, 2), "only the county is new"


def test_a_name_with_a_line_break_in_an_import_is_still_refused(ctx):
    with pytest.raises(importing.Refused) as refused:
        importing.load(b'number;name;language_decision\n5601;"Al\nta";bokm\xc3\xa5l\n')
    assert refused.value.code.endswith("bad_name")


# --- uploaded file names ----------------------------------------------------------------------------------

def test_an_uploaded_file_name_is_stored_clean(app, client, make_gathering):
    """A right-to-left override makes «Foredrag\u202efdp.exe» read as «Foredragexe.pdf»: the name a download gets
    keeps no such character."""
    gid = past_gathering(make_gathering)
    log_in_as(app, client)
    response = upload_file(client, gid, "Fore\u200bdrag\u202efdp.exe\u202c Ka\u0301ra\u0301s\u030cjohka.pdf", PDF)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    with app.app_context():
        document = db.session.scalar(select(Document))
        assert document.filename == "Foredragfdp.exe Kárášjohka.pdf"
        assert not HIDDEN.search(document.filename)
        slug = document.gathering.slug
    download = client.get(f"/samlinger/{slug}/presentasjoner/{document.id}")
    assert download.get_data() == PDF
    download.close()
    assert download.status_code == 200 and "Kar" in download.headers["Content-Disposition"]
    assert "\u202e" not in download.headers["Content-Disposition"]


def test_an_attendance_report_upload_is_read_without_hidden_characters(app):
    from samlinger.online.service import addresses_in

    assert addresses_in("nett\u200b@x.no;x\n".encode()) == {"nett@x.no"}
