"""The one filter that keeps a request to its office (offices/scope.py), statement by statement: every shape of
ORM statement the code uses (an entity, columns, a count, a join, a subquery, a bulk UPDATE or DELETE) sees the
office's rows only; and no module reads a table past the ORM, where the filter cannot see it."""

import re
from pathlib import Path

from sqlalchemy import func, select, update

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.offices import scope
from samlinger.offices.registry import offices
from samlinger.registration.models import Registration

from .office_world import rows_of, two_offices

ROOT = Path(__file__).resolve().parent.parent


def _scoped_models():
    return [mapper.class_ for mapper in db.Model.registry.mappers if getattr(mapper.class_, "office_scope", None)]


def test_every_shape_of_statement_sees_only_the_offices_rows(app):
    first, second = two_offices(app)
    with app.test_request_context(method="POST"):
        first_office = offices().by_id(first.office_id)
        mine = rows_of(first.office_id)
        with scope.use_office(first_office):
            for model in _scoped_models():
                table = model.__table__.name
                assert db.session.scalar(select(func.count()).select_from(model)) == len(mine[table]), table
                assert len(db.session.scalars(select(model)).all()) == len(mine[table]), table
            assert sorted(db.session.scalars(select(Registration.id))) == sorted(first.ids["registration"])
            grouped = dict(db.session.execute(select(Registration.gathering_id, func.count())
                                              .group_by(Registration.gathering_id)).all())
            assert set(grouped) <= set(first.ids["gathering"])
            joined = db.session.scalars(select(Gathering.id).join(Registration,
                                                                  Registration.gathering_id == Gathering.id))
            assert set(joined) <= set(first.ids["gathering"])
            inner = select(Registration.id).subquery()
            assert db.session.scalar(select(func.count()).select_from(inner)) == len(first.ids["registration"])
            for registration_id in second.ids["registration"]:
                assert db.session.get(Registration, registration_id) is None
            changed = db.session.execute(update(Registration).values(needs="Endret")
                                         .execution_options(synchronize_session=False)).rowcount
            assert changed == len(first.ids["registration"])
            db.session.rollback()


#: where a module may speak to a table past the ORM, and why (the office filter sees ORM statements only)
PAST_THE_ORM = {
    "samlinger/offices/scope.py": "the filter itself: the office's gatherings and evaluations as subqueries",
    "samlinger/offices/registry.py": "the offices, read before any office is in scope",
    "samlinger/offices/models.py": "the first office, inserted with the table",
    "samlinger/pagecache.py": "the content version: one counter, no office's",
    "samlinger/locking.py": "BEGIN IMMEDIATE and the SQLite PRAGMAs",
    "samlinger/gatherings/views.py": "the health check's SELECT 1",
    "samlinger/municipalities/importing.py": "LOCK TABLE municipality: the import's lock, reads nothing",
}
CORE = re.compile(r"__table__|metadata\.tables|exec_driver_sql|raw_connection|engine\.(?:connect|begin)\(|"
                  r"\btext\(\s*[\"'](?:SELECT|UPDATE|DELETE|INSERT|WITH|LOCK)|\.execute\(\s*[\"']", re.IGNORECASE)


def test_no_module_reads_a_table_past_the_office_filter():
    found = []
    for path in sorted((ROOT / "samlinger").rglob("*.py")):
        name = str(path.relative_to(ROOT))
        if name in PAST_THE_ORM:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if CORE.search(line):
                found.append(f"{name}:{number}: {line.strip()}")
    assert not found, ("a statement past the ORM is not kept to the office (offices/scope.py): write it with the "
                       "models, or say in PAST_THE_ORM why it reads no office's rows:\n" + "\n".join(found))
    assert all((ROOT / name).exists() for name in PAST_THE_ORM)
