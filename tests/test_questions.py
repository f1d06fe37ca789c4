"""Extra questions: organisers add them; the registration form shows, validates and stores the answers."""

from sqlalchemy import select

from samlinger.extensions import db
from samlinger.questions.models import Question
from samlinger.registration.models import Registration

from .conftest import csrf_token, form_data, manage_link


def post(client, url, **data):
    data["csrf_token"] = csrf_token(client, url)
    return client.post(url, data=data)


def add_questions(client, gid):
    url = f"/arrangor/samlinger/{gid}/sporsmal"
    assert post(client, url, label="Blir du med på middagen?", kind="yesno", required="y").status_code == 302
    assert post(client, url, label="Hvilken workshop?", kind="choice", choices="Planlegging\nGevinster\n\nGevinster"
                ).status_code == 302
    assert post(client, url, label="Hva vil du lære?", kind="text").status_code == 302
    assert post(client, url, label="Bare ett valg", kind="choice", choices="Ett").status_code == 422
    assert post(client, url, label="", kind="text").status_code == 422
    return url


def test_organiser_manages_questions(app, organiser_client, make_gathering):
    gid = make_gathering()
    url = add_questions(organiser_client, gid)
    page = organiser_client.get(url).get_data(as_text=True)
    assert page.index("middagen") < page.index("workshop") < page.index("lære")
    with app.app_context():
        dinner, workshop, learn = db.session.scalars(select(Question).order_by(Question.position)).all()
        assert workshop.choices == ["Planlegging", "Gevinster"]
        assert (dinner.kind, dinner.required, learn.required) == ("yesno", True, False)
        ids = dinner.id, workshop.id, learn.id
    move = post(organiser_client, f"/arrangor/sporsmal/{ids[2]}/flytt", direction="up")
    assert move.status_code == 302
    edit_url = f"/arrangor/sporsmal/{ids[1]}/endre"
    assert "Planlegging\nGevinster" in organiser_client.get(edit_url).get_data(as_text=True)
    assert post(organiser_client, edit_url, label="Hvilken workshop vil du velge?", kind="choice",
                choices="Planlegging\nGevinster\nSpredning", required="y").status_code == 302
    with app.app_context():
        ordered = db.session.scalars(select(Question).order_by(Question.position)).all()
        assert [q.id for q in ordered] == [ids[0], ids[2], ids[1]]
        assert ordered[2].choices == ["Planlegging", "Gevinster", "Spredning"] and ordered[2].required
    assert post(organiser_client, f"/arrangor/sporsmal/{ids[2]}/slett").status_code == 302
    with app.app_context():
        assert db.session.get(Question, ids[2]) is None


def test_registration_form_shows_validates_and_stores_answers(app, client, organiser_client, make_gathering, smtp,
                                                              deliver):
    gid = make_gathering()
    add_questions(organiser_client, gid)
    with app.app_context():
        dinner, workshop, learn = (str(q.id) for q in db.session.scalars(select(Question).order_by(Question.id)))
    public = app.test_client()
    url = "/samlinger/samling-1/pamelding"
    public.get("/sprak/nb")
    form = public.get(url).get_data(as_text=True)
    assert "Blir du med på middagen?" in form and "Planlegging" in form and "Hva vil du lære?" in form

    missing = post(public, url, **form_data(**{f"q_{workshop}": "Finnes ikke"}))
    html = missing.get_data(as_text=True)
    assert missing.status_code == 422
    assert "Velg et svar." in html, "a required question unanswered, in Norwegian"
    assert "Velg ett av svarene." in html, "an answer that is not one of the choices"
    assert 'value="Øyvind Ærø-Sámi"' in html, "nothing typed is lost"

    done = post(public, url, **form_data(**{f"q_{dinner}": "yes", f"q_{workshop}": "Gevinster",
                                           f"q_{learn}": "Gevinstrealisering"}))
    assert done.status_code == 302
    with app.app_context():
        registration = db.session.scalar(select(Registration))
        assert registration.answers == {dinner: "yes", workshop: "Gevinster", learn: "Gevinstrealisering"}
        questions = db.session.scalars(select(Question).order_by(Question.id)).all()
        assert [q.answer_of(registration) for q in questions] == ["Ja", "Gevinster", "Gevinstrealisering"]

    # The manage page shows the answers and lets the participant change them.
    deliver()
    link = manage_link(smtp.to("oyvind@alta.kommune.no")[0])
    page = public.get(link).get_data(as_text=True)
    assert 'value="Gevinstrealisering"' in page
    assert f'<input checked class="ds-input" id="q_{dinner}-0"' in page, "the yes answer is chosen"
    changed = post(public, link, **{k: v for k, v in form_data(**{f"q_{dinner}": "no", f"q_{workshop}": "",
                                                                  f"q_{learn}": ""}).items() if k != "email"})
    assert changed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration)).answers == {dinner: "no"}


def test_gathering_without_questions_registers_as_before(app, make_gathering):
    make_gathering()
    public = app.test_client()
    url = "/samlinger/samling-1/pamelding"
    assert "Questions from the organisers" not in public.get(url).get_data(as_text=True)
    assert post(public, url, **form_data()).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Registration)).answers == {}


def test_answers_are_shown_in_the_registration_list(app, organiser_client, make_gathering):
    gid = make_gathering()
    add_questions(organiser_client, gid)
    with app.app_context():
        dinner, workshop, _learn = (str(q.id) for q in db.session.scalars(select(Question).order_by(Question.id)))
    public = app.test_client()
    assert post(public, "/samlinger/samling-1/pamelding",
                **form_data(**{f"q_{dinner}": "no", f"q_{workshop}": "Planlegging"})).status_code == 302
    page = organiser_client.get(f"/arrangor/samlinger/{gid}/deltakere").get_data(as_text=True)
    assert "<th scope=\"col\">Blir du med på middagen?</th>" in page
    assert "<td>Nei</td>" in page or "<td>No</td>" in page
    assert "<td>Planlegging</td>" in page
    with app.app_context():
        from samlinger.gatherings.models import Gathering

        questions = db.session.get(Gathering, gid).questions
        registration = db.session.scalar(select(Registration))
        assert [question.label for question in questions] == ["Blir du med på middagen?", "Hvilken workshop?",
                                                              "Hva vil du lære?"]
        assert [question.answer_of(registration) for question in questions] == ["Nei", "Planlegging", ""]
