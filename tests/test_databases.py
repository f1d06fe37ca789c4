"""The suite's own PostgreSQL databases: made and dropped by one helper, skipped or failed when missing."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from . import conftest
from .conftest import free_port, postgres_database

REASONS = {False: pytest.skip.Exception, True: pytest.fail.Exception}


@pytest.mark.parametrize("require_all", [False, True])
@pytest.mark.parametrize(("url", "reason"), [
    ("", "need TEST_DATABASE_URL"),
    ("postgresql+psycopg://postgres@127.0.0.1:{port}/test", "is not reachable"),
])
def test_a_missing_server_skips_or_fails_with_the_reason(monkeypatch, require_all, url, reason):
    monkeypatch.setattr(conftest, "PG_URL", url.format(port=free_port()))
    monkeypatch.setattr(conftest, "REQUIRE_ALL", require_all)
    with pytest.raises(REASONS[require_all], match=reason), postgres_database():
        pytest.fail("the body must not run without a server")


def test_the_database_is_the_callers_own_and_dropped_afterwards():
    def exists(name: str) -> bool:
        admin = create_engine(conftest.PG_URL)
        with admin.connect() as conn:
            found = conn.scalar(text("SELECT count(*) FROM pg_database WHERE datname = :name"), {"name": name})
        admin.dispose()
        return found == 1

    with postgres_database("samlinger_helper") as url:
        name = make_url(url).database
        assert name.startswith("samlinger_helper_") and exists(name)
    assert not exists(name)
    with pytest.raises(RuntimeError), postgres_database("samlinger_helper") as url:
        name = make_url(url).database
        raise RuntimeError("a failing test")
    assert not exists(name), "dropped also when the body fails"
