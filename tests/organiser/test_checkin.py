"""Check-in on the day: a phone-sized list where one tap marks arrival and a second tap undoes it."""

import re

from .conftest import post, reload


def test_tap_marks_present_and_undoes_without_javascript(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=2)
    anne = register(gid, "Anne Ås", "anne@alta.kommune.no")
    register(gid, "Bård Bø", "bard@alta.kommune.no")
    waiting = register(gid, "Venter Vik", "venter@alta.kommune.no")
    url = f"/arrangor/samlinger/{gid}/innsjekk"
    page = organiser.get(url).get_data(as_text=True)
    assert 'name="viewport"' in page
    assert "Venter Vik" not in page, "only confirmed participants are on the check-in list"
    assert re.search(r"<strong data-arrived>0</strong>.*<strong data-expected>2</strong>", page)
    assert "<script>" not in page and "onclick" not in page

    response = post(organiser, f"/arrangor/pameldinger/{anne}/innsjekk", {"present": "1"}, form_url=url)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#r{anne}")
    first_arrival = reload(app, anne).checked_in_at
    assert first_arrival is not None
    # A second phone tapping the same person keeps the first arrival time.
    post(organiser, f"/arrangor/pameldinger/{anne}/innsjekk", {"present": "1"}, form_url=url)
    assert reload(app, anne).checked_in_at == first_arrival

    page = organiser.get(url).get_data(as_text=True)
    assert re.search(r"<strong data-arrived>1</strong>", page)
    # Who has not arrived comes first.
    assert page.index("Bård Bø") < page.index("Anne Ås")
    assert re.search(rf'id="r{anne}" class="arrived"', page)

    post(organiser, f"/arrangor/pameldinger/{anne}/innsjekk", {"present": "0"}, form_url=url)
    assert reload(app, anne).checked_in_at is None
    refused = post(organiser, f"/arrangor/pameldinger/{waiting}/innsjekk", {"present": "1"}, form_url=url)
    assert refused.status_code == 409
    assert reload(app, waiting).checked_in_at is None
    assert post(organiser, f"/arrangor/pameldinger/{anne}/innsjekk", {"present": "x"}, form_url=url).status_code == 400


def test_script_gets_json_with_the_counts(app, organiser, make_gathering, register):
    gid = make_gathering()
    anne = register(gid, "Anne Ås", "anne@alta.kommune.no")
    url = f"/arrangor/samlinger/{gid}/innsjekk"
    from ..conftest import csrf_token

    response = organiser.post(f"/arrangor/pameldinger/{anne}/innsjekk",
                              data={"present": "1", "csrf_token": csrf_token(organiser, url)},
                              headers={"Accept": "application/json"})
    assert response.get_json() == {"present": True, "arrived": 1, "expected": 1}
    with organiser.get("/static/checkin.js") as script:
        assert "checkin-form" in script.get_data(as_text=True)


def test_search_finds_a_participant(app, organiser, make_gathering, register):
    gid = make_gathering()
    register(gid, "Anne Ås", "anne@alta.kommune.no")
    register(gid, "Bård Bø", "bard@vardo.kommune.no", "Vardø kommune")
    page = organiser.get(f"/arrangor/samlinger/{gid}/innsjekk?q=vardø").get_data(as_text=True)
    assert "Bård Bø" in page and "Anne Ås" not in page
