"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from samlinger import ROOT, create_app
from samlinger.extensions import db

from .conftest import base_config, empty_database


def test_one_head():
    script = ScriptDirectory(str(ROOT / "migrations"))
    assert len(script.get_heads()) == 1, f"several migration heads: {script.get_heads()}"


def test_upgrade_matches_models(database_url, tmp_path):
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def test_mailbox_keys_are_recomputed_and_a_collision_keeps_both_registrations(database_url, tmp_path, capsys):
    """0007: existing keys become one per mailbox; two active registrations that turn out to be one mailbox
    are both kept, the later one's key made distinct, and the upgrade names them."""
    from datetime import timedelta

    from samlinger.gatherings.models import Gathering, Season
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0006_derived_manage_links")
        start = utcnow() + timedelta(days=30)
        season = Season(year=2027, term="spring", title="Våren 2027", published=True)
        first, second = (Gathering(season=season, slug=f"s-{n}", title=f"S {n}", region="east", venue="Alta",
                                   address="", starts_at=start, ends_at=start + timedelta(hours=5),
                                   registration_deadline=start.date(), status="published") for n in (1, 2))
        # (gathering, address as stored, status, anonymised): the keys are what the old rule (lower case) made.
        rows = [(first, "Kari@ａｌｔａ.kommune.no", "confirmed", False),
                (first, "kari@alta.kommune.no", "waitlisted", False),  # the same mailbox, registered later
                (first, "KARI@ALTA.KOMMUNE.NO", "cancelled", False),
                (first, "ola@xn--b-5ga.kommune.no", "confirmed", False),
                (second, "kari@alta.kommune.no", "confirmed", False),
                (second, "anonymised", "cancelled", True)]
        for n, (gathering, email, status, anonymised) in enumerate(rows):
            db.session.add(Registration(
                gathering=gathering, status=status, name="N", organisation="O", email=email,
                email_normalized=f"anonymised-{n + 1}" if anonymised else email.lower(),
                manage_token_hash=f"{n:064d}", created_at=utcnow() + timedelta(minutes=n),
                anonymised_at=utcnow() if anonymised else None))
        db.session.commit()
        db.session.remove()
        capsys.readouterr()

        upgrade()
        keys = [key for (key,) in db.session.execute(
            db.select(Registration.email_normalized).order_by(Registration.id))]
        assert keys == ["kari@alta.kommune.no", "kari@alta.kommune.no#dup2", "kari@alta.kommune.no",
                        "ola@xn--b-5ga.kommune.no", "kari@alta.kommune.no", "anonymised-6"]
        assert "registrations 1 and 2 (gathering 1)" in capsys.readouterr().out
        db.session.remove()
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()
