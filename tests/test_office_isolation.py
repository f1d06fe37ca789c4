"""An office's people can neither read nor change anything of another office, by any route (issue 23).

The walk goes over every rule of the URL map (read from the app, never listed by hand: a new route is walked
the day it is added) as an organiser and as an admin of one office, with every argument filled with the other
office's objects: its gatherings, rounds, registrations, presentations, questions, accounts, municipalities,
mailings, its public slugs and its manage and evaluation links. GET and POST (with a valid CSRF token and a
form that names the other office's objects too) must answer 403 or 404, leave every row of the other office as
it was, and show nothing of it: not in a page, an export (CSV, XLSX), a feed (ICS), the JSON API or a redirect.
Pages without an id (lists, dashboards, the log, the register, the reach figures) show the office's own data
and nothing of the other's. Every text of an office holds its marker (tests/office_world.py), so one word tells.
"""

import itertools
from urllib.parse import urlsplit

import pytest

from samlinger.extensions import db
from samlinger.i18n import LANGUAGES
from samlinger.offices.paths import NATIONAL_PATHS
from samlinger.offices.scope import NATIONAL_HOME, NATIONAL_PAGES

from . import factories
from .conftest import csrf_token, log_in
from .office_world import Built, national_admin, readable, snapshot, two_offices

#: the blueprints of the sign-in pages: they look accounts up in every office (offices/scope.py), and hold no
#: office's data; their one token (a set-password link) opens the account it was mailed to, whatever the address
SIGN_IN = ("auth.", "factor.", "oidc.")
#: not walked: the site's files, and logging out (it ends the walk's session; it reads and changes nothing of
#: an office)
NOT_WALKED = frozenset({"static", "auth.logout"})

#: `<int:…>` arguments and the kind of object each names (a question of the evaluation pages is an evaluation
#: question); a new argument fails the walk until it is added here
ID_KINDS = {"gathering_id": "gathering", "round_id": "round", "registration_id": "registration",
            "document_id": "document", "question_id": "question", "user_id": "user",
            "municipality_id": "municipality"}


def _kind(endpoint: str, argument: str) -> str:
    if argument == "question_id" and endpoint.startswith("workspace.evaluations."):
        return "evaluation_question"
    return ID_KINDS[argument]


def variants(rule, me: Built, other: Built) -> list[tuple[dict, bool]]:
    """(the rule's arguments, whether they name another office's object) for each way to fill *rule*: every
    object of *other* of the kind each argument names; a public page's slug or link also *me*'s own, beside
    another office's object (my gathering's address with their presentation). Without such an argument: the
    page itself (a list), with harmless values for the rest."""
    choices = []
    for argument in sorted(rule.arguments):
        if argument in ID_KINDS:
            options = [(value, True) for value in other.ids[_kind(rule.endpoint, argument)]]
        elif argument == "slug":
            options = [(value, True) for value in other.slugs] + [(me.slugs[0], False)]
        elif argument == "token" and rule.endpoint.startswith("evaluations."):
            options = [(value, True) for value in other.evaluation_tokens]
        elif argument == "token" and rule.endpoint.startswith(SIGN_IN):
            options = [("x" * 43, False)]
        elif argument == "token":
            options = [(value, True) for value in other.manage_tokens] + [(me.manage_tokens[0], False)]
        elif argument == "batch":
            options = [(value, True) for value in other.batches]
        elif argument == "period":  # the reach export: years, or one round
            options = [("3", False)] + [(f"runde-{value}", True) for value in other.ids["round"]]
        elif argument == "years":  # the national reach export
            options = [(3, False)]
        elif argument == "file_format":
            options = [("csv", False), ("xlsx", False)]
        elif argument == "code":  # the language chooser
            options = [("nn", False)]
        else:
            raise AssertionError(f"the walk does not know <{argument}> of {rule.rule}: say what it names")
        choices.append([(argument, value, foreign) for value, foreign in options])
    found = []
    for combination in itertools.product(*choices):
        foreign = any(item[2] for item in combination)
        if combination and not foreign and any(item[0] in ("slug", "token") for item in combination) \
                and len(combination) > 1:
            continue  # my own gathering with nothing of the other office: not this test's question
        found.append(({argument: value for argument, value, _ in combination}, foreign))
    return found


def form_naming(other: Built, token: str) -> dict:
    """What a POST sends: the CSRF token, the choices most forms ask for, and the other office's objects where a
    form names one (a municipality, an unmatched text, a registration)."""
    return {"csrf_token": token, "confirm": "y", "attended": "1", "present": "1", "active": "0", "published": "1",
            "direction": "up", "step": "1", "mode": "online", "evaluation": "yes", "visibility": "participants",
            "audience": "all", "side": "all", "subject": "Emne", "body": "Tekst", "key": other.unmatched_key,
            "municipality": other.municipality_number, "municipality_id": str(other.ids["municipality"][0]),
            "registration_id": str(other.ids["registration"][0]), "gathering_id": str(other.ids["gathering"][0])}


class Walk:
    """One person's walk over the URL map with another office's objects; `problems` says what went wrong."""

    def __init__(self, app, client, me: Built, other: Built, *, email: str | None, prefix: str):
        self.app, self.client, self.me, self.other = app, client, me, other
        self.email, self.prefix = email, prefix
        self.problems: list[str] = []
        self.adapter = app.url_map.bind("samlinger.test")
        self.requests = 0

    def sign_in(self) -> None:
        if self.email is not None:
            assert log_in(self.client, self.email, factories.PASSWORD).status_code == 302
        self.token = csrf_token(self.client, "/logg-inn")

    def open(self, url: str, method: str):
        data = form_naming(self.other, self.token) if method == "POST" else None
        response = self.client.open(url, method=method, data=data)
        self.requests += 1
        location = response.headers.get("Location", "")
        if self.email is not None and response.status_code == 302 and "/logg-inn" in location \
                and "/logg-inn" not in url:
            self.sign_in()  # a page that ended the session (a second factor reset): sign in again and retry
            data = form_naming(self.other, self.token) if method == "POST" else None
            response = self.client.open(url, method=method, data=data)
        return response

    def check(self, rule, method: str, values: dict, foreign: bool, expect) -> None:
        url = self.prefix + self.adapter.build(rule.endpoint, values, method=method)
        if self.prefix and url.endswith("/") and url[len(self.prefix):] == "/":
            url = self.prefix + "/"
        before = snapshot(self.app, self.other)
        response = self.open(url, method)
        seen = readable(response).replace(url.lower(), "")  # the address asked for (a 404 page's own links)
        response.close()
        where = f"{method} {url} ({rule.endpoint})"
        if response.status_code >= 500:
            self.problems.append(f"{where}: {response.status_code}")
        if not expect(response, foreign, rule):
            self.problems.append(f"{where}: answered {response.status_code} {response.headers.get('Location', '')}")
        if self.other.marker.lower() in seen:
            at = seen.index(self.other.marker.lower())
            self.problems.append(f"{where}: shows the other office's data: …{seen[max(0, at - 80):at + 40]}…")
        after = snapshot(self.app, self.other)
        changed = [table for table in before if before[table] != after[table]]
        if changed:
            self.problems.append(f"{where}: changed the other office's {', '.join(changed)}")

    def walk(self, rules, expect) -> "Walk":
        self.sign_in()
        for rule in rules:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                for values, foreign in variants(rule, self.me, self.other):
                    self.check(rule, method, values, foreign, expect)
        return self


def walked(app, predicate) -> list:
    return [rule for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
            if rule.endpoint not in NOT_WALKED and predicate(rule.endpoint)]


def refused_when_foreign(response, foreign, _rule) -> bool:
    """Another office's object: 403 or 404. A page of one's own (a list): anything but an error."""
    return response.status_code in (403, 404) if foreign else response.status_code < 500


@pytest.fixture
def world(app):
    return two_offices(app)


def _people(world, direction: str):
    first, second = world
    return (first, second) if direction == "first-reads-second" else (second, first)


# --- the walk -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("direction", ["first-reads-second", "second-reads-first"])
@pytest.mark.parametrize("role", ["organiser", "admin"])
def test_no_route_opens_another_offices_objects(app, world, role, direction):
    me, other = _people(world, direction)
    client = app.test_client()
    walk = Walk(app, client, me, other, email=getattr(me, role), prefix=me.prefix)
    walk.walk(walked(app, lambda endpoint: True), refused_when_foreign)
    assert walk.requests > 150, "the walk covers the URL map"
    assert not walk.problems, "\n".join(walk.problems)


@pytest.mark.parametrize("address", ["first", "first-without-segment", "second"])
def test_no_public_page_of_an_office_opens_another_offices_objects(app, world, address):
    """Anonymous readers, at each office's own address (/<slug>/…) and at the addresses without an office (the
    first office's, as before there were several): the other office's slugs, links, presentations and
    evaluation links are not found there, and its gatherings are on none of the office's pages."""
    me, other = world if address.startswith("first") else world[::-1]
    prefix = "" if address == "first-without-segment" else me.prefix
    walk = Walk(app, app.test_client(), me, other, email=None, prefix=prefix)

    def public(endpoint):
        return not endpoint.startswith(("workspace.", *SIGN_IN))

    rules = [rule for rule in walked(app, public) if prefix or rule.rule not in NATIONAL_PATHS]
    walk.walk(rules, refused_when_foreign)
    assert walk.requests > 40
    assert not walk.problems, "\n".join(walk.problems)


def test_lists_show_the_offices_own_data(app, world):
    """The walk is not empty: the pages without an id show the office's own gatherings, participants,
    register, accounts and log, so that the other office's absence from them says something."""
    me, _other = world
    client = app.test_client()
    assert log_in(client, me.admin, factories.PASSWORD).status_code == 302
    for path in ("/arrangor/", "/arrangor/runder/", "/arrangor/kommuner/", "/arrangor/brukere/", "/arrangor/logg/",
                 "/arrangor/rekkevidde/", "/arrangor/rekkevidde/3.xlsx", "/", "/samlinger.ics",
                 "/api/v1/gatherings", f"/arrangor/runder/{me.ids['round'][0]}/deltakere.csv",
                 f"/arrangor/samlinger/{me.ids['gathering'][0]}/deltakere.xlsx"):
        response = client.get(me.prefix + path)
        assert response.status_code == 200, path
        assert me.marker.lower() in readable(response), f"{path} shows nothing of the office's own"


@pytest.mark.parametrize("direction", ["first-reads-second", "second-reads-first"])
def test_another_offices_workspace_address_leads_back_to_ones_own(app, world, direction):
    """An organiser at the other office's workspace address (/<their slug>/arrangor/…) is sent to the same page
    in their own office's section (GET), where the walk above finds another office's object not found; a POST
    there is not found. Nothing of the other office is shown or changed on the way."""
    me, other = _people(world, direction)
    walk = Walk(app, app.test_client(), me, other, email=me.organiser, prefix=other.prefix)

    def home_or_refused(response, _foreign, _rule) -> bool:
        if response.status_code in (403, 404):
            return True
        location = urlsplit(response.headers.get("Location", "")).path
        first, _, rest = location[1:].partition("/")
        if first in LANGUAGES:  # the reader's language, kept where their office offers it
            location = "/" + rest
        return (response.status_code == 302 and response.request.method == "GET"
                and location.startswith(me.prefix + "/arrangor/"))

    walk.walk(walked(app, lambda endpoint: endpoint.startswith("workspace.")), home_or_refused)
    assert walk.requests > 100
    assert not walk.problems, "\n".join(walk.problems)


# --- the national administrator -----------------------------------------------------------------------

def refused_always(response, _foreign, rule) -> bool:
    """Every office page: 403 or 404, with or without an id; the workspace's front page may send them to the
    national pages, where those exist."""
    if rule.endpoint == "workspace.dashboard" and response.status_code == 302:
        return urlsplit(response.headers["Location"]).path.endswith(NATIONAL_HOME_PATH)
    return response.status_code in (403, 404)


#: the national pages' front page (another part of the workspace: /arrangor/nasjonalt/)
NATIONAL_HOME_PATH = "/arrangor/nasjonalt/"


@pytest.mark.parametrize("office", ["first", "second"])
def test_a_national_administrator_opens_no_office_page(app, world, office):
    first, second = world
    other = first if office == "first" else second
    me = second if office == "first" else first  # whose slugs and tokens stand beside: not the national's
    walk = Walk(app, app.test_client(), me, other, email=national_admin(app), prefix=other.prefix)
    rules = walked(app, lambda endpoint: endpoint.startswith("workspace.")
                   and not endpoint.startswith(NATIONAL_PAGES))
    walk.walk(rules, refused_always)
    assert walk.requests > 80
    assert not walk.problems, "\n".join(walk.problems)


def test_a_national_administrator_keeps_their_account_pages(app, world):
    client = app.test_client()
    assert log_in(client, national_admin(app), factories.PASSWORD).status_code == 302
    assert client.get("/arrangor/konto/passord").status_code == 200
    assert client.get("/arrangor/konto/andre-faktor/").status_code == 200
    front = client.get("/arrangor/")
    if NATIONAL_HOME in app.view_functions:
        assert front.status_code == 302 and urlsplit(front.headers["Location"]).path.endswith(NATIONAL_HOME_PATH)
    else:
        assert front.status_code == 403


# --- kept pages -----------------------------------------------------------------------------------------

def test_a_kept_page_is_never_served_for_another_office(app, world):
    first, second = world
    cache = app.extensions["samlinger.pagecache"]
    client = app.test_client()
    pages = {}
    for office, other in ((first, second), (second, first)):
        path = f"{office.prefix}/samlinger/{office.slugs[0]}"
        for _ in range(2):  # built and kept, then answered from the cache (the front door)
            response = client.get(path)
            assert response.status_code == 200
            seen = readable(response)
            assert office.marker.lower() in seen and other.marker.lower() not in seen
        pages[office.slug] = path
        assert path in cache.pages, "the page is kept"
    assert cache.pages[pages[first.slug]].body != cache.pages[pages[second.slug]].body
    for office, other in ((first, second), (second, first)):
        for path in (f"{office.prefix}/samlinger/{other.slugs[0]}", f"{office.prefix}/samlinger/{other.slugs[0]}.ics"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert other.marker.lower() not in readable(response).replace(path.lower(), "")
            assert path not in cache.pages
    # the first office's address without its segment is its own: the second's kept page is not there either
    assert client.get(f"/samlinger/{second.slugs[0]}").status_code == 404
    assert client.get(f"/samlinger/{first.slugs[0]}").status_code == 200


def test_kept_front_pages_and_feeds_are_each_offices_own(app, world):
    first, second = world
    client = app.test_client()
    for path in ("/", "/samlinger.ics", "/api/v1/gatherings"):
        for office, other in ((first, second), (second, first)):
            for _ in range(2):
                seen = readable(client.get(office.prefix + path))
                assert office.marker.lower() in seen and other.marker.lower() not in seen, office.prefix + path


# --- every model says where its office is ----------------------------------------------------------------

#: models with a column of an office's object that are nobody's by office, and why
GLOBAL_MODELS = {
    "RecoveryCode": "an account's own recovery codes: read and changed only for the signed-in account, or with "
                    "the account an admin has found in their own office",
}
OFFICE_COLUMNS = ("office_id", "round_id", "gathering_id", "registration_id", "evaluation_id", "user_id",
                  "municipality_id", "document_id", "question_id")


def test_every_model_of_an_offices_data_says_where_its_office_is(app):
    missing = []
    with app.app_context():
        for mapper in db.Model.registry.mappers:
            cls = mapper.class_
            columns = {column.key for column in mapper.columns}
            if not columns & set(OFFICE_COLUMNS) or cls.__name__ in GLOBAL_MODELS:
                continue
            declared = getattr(cls, "office_scope", None)
            if declared not in ("office_id", "gathering_id", "evaluation_id") or declared not in columns:
                missing.append(f"{cls.__name__} ({', '.join(sorted(columns & set(OFFICE_COLUMNS)))})")
    assert not missing, ("these models hold an office's data but do not say where its office is (office_scope, "
                         f"offices/scope.py), nor are listed in GLOBAL_MODELS with a reason: {missing}")
