"""HTTPS as deployed: the manage pages keep their token to themselves without breaking their forms, and the strict
Referer check stays on.

The forms themselves are walked over a real TLS server in a browser: tests/browser/test_forms_walk.py.
"""

from .conftest import csrf_token, form_data, manage_link


def test_manage_pages_send_the_referer_only_to_this_site(app, client, make_gathering, smtp, deliver):
    make_gathering()
    url = "/samlinger/samling-1/pamelding"
    assert client.post(url, data=form_data(csrf_token=csrf_token(client, url))).status_code == 302
    deliver()
    link = manage_link(smtp.to("oyvind@alta.kommune.no")[0])
    for page in (link, f"{link}/avmeld"):
        response = client.get(page)
        assert response.status_code == 200, page
        # same-origin: no Referer to other sites (the token is in the address), but our own forms get
        # theirs, which Flask-WTF requires over HTTPS. no-referrer broke every form here.
        assert response.headers["Referrer-Policy"] == "same-origin", page


def test_over_https_a_form_is_accepted_only_with_a_referer_from_this_site(app, make_gathering):
    make_gathering()
    client = app.test_client()
    url = "/samlinger/samling-1/pamelding"
    https = {"base_url": "https://localhost"}
    token = csrf_token(client, url)  # the test client's session cookie works over http and https alike

    def post(referer=None):
        headers = {"Referer": referer} if referer else {}
        return client.post(url, data=form_data(csrf_token=token), headers=headers, **https)

    assert post().status_code == 400
    assert post("https://evil.example/samlinger/samling-1/pamelding").status_code == 400
    assert post(f"https://localhost{url}").status_code == 302

