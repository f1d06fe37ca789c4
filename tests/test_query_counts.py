"""The public pages run the same number of SQL statements with 5 gatherings as with 200."""


from bench import seed as seeding
from samlinger.extensions import db

PAGES = ["/", f"/samlinger/{seeding.DETAIL_SLUG}", "/api/v1/gatherings", "/samlinger.ics",
         f"/samlinger/{seeding.DETAIL_SLUG}.ics"]


def grow_to(app, gatherings: int):
    with app.app_context():
        have = db.session.scalar(db.select(db.func.count()).select_from(seeding.Gathering))
        seeding.seed(gatherings=gatherings - have, registrations=(gatherings - have) * 100, export_sizes=())
        db.session.remove()


def count(client, statements, path: str) -> int:
    assert client.get(path).status_code == 200  # first request: templates compiled, translations loaded
    statements.clear()
    response = client.get(path)
    assert response.status_code == 200, path
    return len(statements)


def test_statements_per_page_do_not_grow_with_gatherings(app, client, statements):
    app.config["PAGE_CACHE"] = False
    grow_to(app, 5)
    few = {path: count(client, statements, path) for path in PAGES}
    grow_to(app, 200)
    many = {path: count(client, statements, path) for path in PAGES}
    assert many == few
    # The front page: the gatherings with their rounds, the seat counts, the documents of past gatherings.
    assert all(n <= 4 for n in many.values()), many


def test_a_kept_page_runs_no_statement_through_the_session(app, client, statements):
    grow_to(app, 20)
    for path in PAGES:
        # The version check is one primary-key read on a raw pooled connection, outside these events.
        assert count(client, statements, path) == 0, (path, statements)
