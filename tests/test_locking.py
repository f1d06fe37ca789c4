"""Write transactions: begin_write starts one cleanly and never commits a caller's changes on the side."""

import pytest
from sqlalchemy import update

from samlinger.extensions import db
from samlinger.gatherings.models import Gathering
from samlinger.locking import begin_write, locked


def title_in_database(app, gathering_id: int) -> str:
    with app.app_context():
        return db.session.get(Gathering, gathering_id).title


@pytest.mark.parametrize("how", ["pending", "flushed", "statement"])
def test_begin_write_refuses_a_transaction_with_changes_and_commits_nothing(app, make_gathering, how):
    gathering_id = make_gathering(title="Før")
    with app.app_context():
        if how == "statement":
            db.session.execute(update(Gathering).where(Gathering.id == gathering_id).values(title="Halvferdig"))
        else:
            db.session.get(Gathering, gathering_id).title = "Halvferdig"
        if how == "flushed":
            db.session.flush()
        with pytest.raises(RuntimeError, match="commit them first"):
            begin_write()
        db.session.rollback()
    assert title_in_database(app, gathering_id) == "Før"


def test_begin_write_ends_a_reading_transaction_and_locks(app, make_gathering):
    gathering_id = make_gathering(title="Før")
    with app.app_context():
        assert db.session.get(Gathering, gathering_id).title == "Før"  # a read opens a transaction
        gathering = locked(Gathering, gathering_id)
        gathering.title = "Etter"
        db.session.commit()
        begin_write()  # after a commit: a new transaction, nothing to refuse
        db.session.rollback()
    assert title_in_database(app, gathering_id) == "Etter"
