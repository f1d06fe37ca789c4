"""Migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from datetime import timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import event, text
from sqlalchemy import inspect as sa_inspect

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
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0006_derived_manage_links")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date())
        first, second = 1, 2
        # (gathering, address as stored, status, anonymised): the keys are what the old rule (lower case) made.
        rows = [(first, "Kari@ａｌｔａ.kommune.no", "confirmed", False),
                (first, "kari@alta.kommune.no", "waitlisted", False),  # the same mailbox, registered later
                (first, "KARI@ALTA.KOMMUNE.NO", "cancelled", False),
                (first, "ola@xn--b-5ga.kommune.no", "confirmed", False),
                (second, "kari@alta.kommune.no", "confirmed", False),
                (second, "anonymised", "cancelled", True)]
        with db.engine.begin() as conn:  # in SQL: the model describes today's table
            for n, (gathering_id, email, status, anonymised) in enumerate(rows):
                old_registration(conn, gathering_id=gathering_id, status=status, email=email,
                                 email_normalized=f"anonymised-{n + 1}" if anonymised else email.lower(),
                                 manage_token_hash=f"{n:064d}", created_at=utcnow() + timedelta(minutes=n),
                                 anonymised_at=utcnow() if anonymised else None)
        capsys.readouterr()

        upgrade(revision="0007_email_normalized_as_mailbox")
        keys = [key for (key,) in db.session.execute(
            db.select(Registration.email_normalized).order_by(Registration.id))]
        assert keys == ["kari@alta.kommune.no", "kari@alta.kommune.no#dup2", "kari@alta.kommune.no",
                        "ola@xn--b-5ga.kommune.no", "kari@alta.kommune.no", "anonymised-6"]
        assert "registrations 1 and 2 (gathering 1)" in capsys.readouterr().out
        _clean_up()


def old_gatherings(conn, starts_at, deadline, *, round_table: str = "season") -> None:
    """A round (table `season`, as before 0009, unless *round_table* is "round") with two published gatherings,
    ids 1 and 2, written in SQL: the models describe the schema of today."""
    conn.execute(text(f"INSERT INTO {round_table} (id, year, term, title, intro, published, created_at) "
                      "VALUES (1, 2027, 'spring', 'Våren 2027', '', true, :now)"), {"now": starts_at})
    for n in (1, 2):
        conn.execute(text(
            f"INSERT INTO gathering (id, {round_table}_id, slug, uid, title, region, venue, address, starts_at, "
            "ends_at, registration_deadline, waitlist_enabled, status, cancel_reason, revision, description, "
            "programme, documents_visibility, created_at, updated_at) "
            "VALUES (:id, 1, :slug, :uid, :title, 'east', 'Alta', '', :starts_at, :ends_at, :deadline, true, "
            "'published', '', 0, '', '', 'public', :starts_at, :starts_at)"),
            {"id": n, "slug": f"s-{n}", "uid": f"{n}@s", "title": f"S {n}", "starts_at": starts_at,
             "ends_at": starts_at + timedelta(hours=5), "deadline": deadline})


def old_registration(conn, **values) -> None:
    """A registration row as the tables were before 0012, written in SQL."""
    row = {"name": "N", "organisation": "O", "role": "", "phone": "", "needs": "", "answers": "{}",
           "language": "nb", "updated_at": values["created_at"], "added_by_organiser": False, **values}
    conn.execute(text(f"INSERT INTO registration ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})"),
                 row)


def _clean_up() -> None:
    db.session.remove()
    db.drop_all()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.engine.dispose()


def test_season_becomes_round_with_its_gatherings_and_audit_entries(database_url, tmp_path):
    """0009 renames season to round and season_id to round_id, keeping every row; audit entries about
    rounds name the new table; the downgrade gives the old names back."""
    from samlinger.audit.models import AuditEntry
    from samlinger.gatherings.models import Gathering, Round
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0008_audit_without_free_text")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date())
            conn.execute(AuditEntry.__table__.insert().values(action="round.publish", object_type="season",
                                                              object_id=1, summary="Våren 2027"))
        upgrade()
        round_ = db.session.get(Round, 1)
        assert (round_.title, [g.slug for g in round_.gatherings]) == ("Våren 2027", ["s-1", "s-2"])
        assert db.session.get(Gathering, 2).round.year == 2027
        assert db.session.scalar(db.select(AuditEntry.object_type)) == "round"
        if db.engine.dialect.name == "postgresql":  # named as a database made from the models names them
            names = db.session.execute(text(
                "SELECT conname FROM pg_constraint WHERE conrelid IN ('round'::regclass, 'gathering'::regclass) "
                "UNION SELECT sequencename FROM pg_sequences WHERE sequencename LIKE 'round%'")).scalars().all()
            assert {"pk_round", "fk_gathering_round_id_round", "round_id_seq"} <= set(names)
        db.session.remove()
        downgrade(revision="0008_audit_without_free_text")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT season_id FROM gathering ORDER BY id")).scalars().all() == [1, 1]
            assert conn.execute(text("SELECT object_type FROM audit_entry")).scalar() == "season"
        upgrade()
        _clean_up()


def test_texts_get_a_nynorsk_twin_and_a_nynorsk_only_text_survives_the_downgrade(database_url, tmp_path):
    """0013 adds the Nynorsk columns, empty, keeping every text as the Bokmål one; the downgrade drops them,
    moving a text written only in Nynorsk into the Bokmål column rather than leaving it empty."""
    from samlinger.documents.models import Document
    from samlinger.gatherings.models import Gathering, Round
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0012_registration_municipality")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO round (id, year, term, title, intro, published, created_at) "
                              "VALUES (1, 2027, 'spring', 'Våren 2027', 'Velkommen', true, :now)"), {"now": start})
            conn.execute(text(
                "INSERT INTO gathering (id, round_id, slug, uid, title, region, venue, address, starts_at, ends_at, "
                "registration_deadline, waitlist_enabled, status, cancel_reason, revision, description, programme, "
                "documents_visibility, created_at, updated_at) VALUES (1, 1, 's-1', '1@s', 'Samling', 'east', 'Alta', "
                "'', :start, :start, :deadline, true, 'published', '', 0, 'Om', 'Program', 'public', :start, :start)"),
                {"start": start, "deadline": start.date()})
            conn.execute(text("INSERT INTO document (id, gathering_id, title, speaker, url, filename, content_type, "
                              "size, position, created_at) VALUES (1, 1, 'Lysark', '', 'https://example.no', '', '', "
                              "0, 0, :start)"), {"start": start})
        upgrade()  # the models read the rows: the schema they describe (0013 and what came after)
        round_, gathering, document = (db.session.get(Round, 1), db.session.get(Gathering, 1),
                                       db.session.get(Document, 1))
        assert (round_.title, round_.title_nn, round_.intro, round_.intro_nn) == ("Våren 2027", "", "Velkommen", "")
        assert (gathering.title_nn, gathering.description_nn, gathering.programme_nn) == ("", "", "")
        assert (document.title, document.title_nn) == ("Lysark", "")
        assert gathering.text("title", "nn") == "Samling"
        round_.title_nn, round_.intro, round_.intro_nn = "Våren 2027 (nn)", "", "Velkomen"
        gathering.title, gathering.title_nn = "", "Samlinga"
        document.title_nn = "Lysarka"
        db.session.commit()
        db.session.remove()
        downgrade(revision="0012_registration_municipality")
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT title, intro FROM round")).one() == ("Våren 2027", "Velkomen")
            assert conn.execute(text("SELECT title, description FROM gathering")).one() == ("Samlinga", "Om")
            assert conn.execute(text("SELECT title FROM document")).scalar() == "Lysark"
            columns = {c["name"] for c in sa_inspect(conn).get_columns("gathering")}
            assert "title_nn" not in columns and "description_nn" not in columns
        upgrade()
        _clean_up()


def test_seats_per_municipality_add_empty_columns_in_place_and_the_downgrade_drops_them(database_url, tmp_path):
    """0014 adds the limit per municipality and the held seats to gathering, empty for existing gatherings
    (nothing changes for them), in place: registrations keep pointing at their gathering. The downgrade
    drops them, keeping every row."""
    from samlinger.gatherings.models import Gathering
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0013_texts_in_both_standards")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            old_registration(conn, gathering_id=1, status="confirmed", email="kari@alta.no",
                             email_normalized="kari@alta.no", manage_token_hash="0" * 64, created_at=start)
        upgrade()  # the model reads the row: the schema it describes (0014 and what came after)
        gathering = db.session.get(Gathering, 1)
        assert (gathering.per_municipality_limit, gathering.held_seats, gathering.held_until) == (None, None, None)
        gathering.per_municipality_limit, gathering.held_seats, gathering.held_until = 3, 2, start.date()
        db.session.commit()
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        downgrade(revision="0013_texts_in_both_standards")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa_inspect(conn).get_columns("gathering")}
            assert not {"per_municipality_limit", "held_seats", "held_until"} & columns
            assert conn.execute(text("SELECT count(*) FROM gathering")).scalar() == 2
            assert conn.execute(text("SELECT gathering_id FROM registration")).scalar() == 1
        upgrade()
        _clean_up()


def test_walk_ins_column_is_false_for_existing_registrations_and_goes_away_on_the_downgrade(database_url, tmp_path):
    """0015 adds `walk_in` in place (the outbox refers to registrations: no table copy on SQLite), false for every
    registration made before; the downgrade drops it and keeps the rows, check-ins included."""
    from samlinger.mail.models import OutboundEmail
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0013_texts_in_both_standards")
        start = utcnow() - timedelta(days=3)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            for n, checked_in in ((1, start), (2, None)):
                old_registration(conn, gathering_id=1, status="confirmed", email=f"p{n}@alta.kommune.no",
                                 email_normalized=f"p{n}@alta.kommune.no", manage_token_hash=f"{n:064d}",
                                 created_at=start - timedelta(days=9), checked_in_at=checked_in)
            conn.execute(OutboundEmail.__table__.insert().values(  # the outbox refers to the registration
                kind="confirmation", recipient="p1@alta.kommune.no", reply_to="", subject="S", text_body="",
                html_body="", status="sent", language="nb", registration_id=1))
        upgrade()  # the model reads the rows: the schema it describes (0015 and what came after)
        rows = db.session.execute(db.select(Registration.walk_in, Registration.checked_in_at)
                                  .order_by(Registration.id)).all()
        assert [walk_in for walk_in, _ in rows] == [False, False] and rows[0][1] is not None
        db.session.get(Registration, 2).walk_in = True
        db.session.commit()
        db.session.remove()
        downgrade(revision="0013_texts_in_both_standards")
        with db.engine.connect() as conn:
            assert "walk_in" not in {c["name"] for c in sa_inspect(conn).get_columns("registration")}
            assert conn.execute(text("SELECT count(*) FROM registration WHERE checked_in_at IS NOT NULL")).scalar() == 1
            assert conn.execute(text("SELECT registration_id FROM outbound_email")).scalar() == 1
        upgrade()
        assert db.session.scalar(db.select(OutboundEmail.registration_id)) == 1
        _clean_up()


def test_gatherings_and_registrations_are_on_site_and_the_downgrade_drops_the_video_link(database_url, tmp_path):
    """0016 makes every existing gathering and registration on site (an outbox row pointing at a registration
    survives the in-place columns); the downgrade drops the columns and the video links, keeping every row."""
    from samlinger.gatherings.models import Gathering
    from samlinger.online.models import VideoLink
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0015_walk_ins")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            old_registration(conn, gathering_id=1, status="confirmed", email="kari@alta.kommune.no",
                             email_normalized="kari@alta.kommune.no", manage_token_hash="0" * 64, created_at=start)
            conn.execute(text("INSERT INTO outbound_email (kind, recipient, reply_to, subject, text_body, html_body, "
                              "language, status, attempts, next_attempt_at, last_error, created_at, registration_id) "
                              "VALUES ('confirmation', 'kari@alta.kommune.no', '', '', '', '', 'nb', 'sent', 1, "
                              ":now, '', :now, 1)"), {"now": start})
        upgrade()  # the models read the rows: the schema they describe (0016 and what came after)
        gathering, registration = db.session.get(Gathering, 1), db.session.get(Registration, 1)
        assert (gathering.mode, gathering.online_capacity, registration.attendance_mode) == ("on_site", None, "on_site")
        gathering.mode, registration.attendance_mode = "hybrid", "online"
        db.session.add(VideoLink(gathering_id=1, url="https://example.org/meet/1", passcode="4711"))
        db.session.commit()
        db.session.remove()
        downgrade(revision="0015_walk_ins")
        with db.engine.connect() as conn:
            assert "video_link" not in sa_inspect(conn).get_table_names()
            assert "mode" not in {c["name"] for c in sa_inspect(conn).get_columns("gathering")}
            assert "attendance_mode" not in {c["name"] for c in sa_inspect(conn).get_columns("registration")}
            assert conn.execute(text("SELECT count(*) FROM outbound_email")).scalar() == 1
            assert conn.execute(text("SELECT status FROM registration")).scalar() == "confirmed"
        upgrade()
        _clean_up()


def test_mailbox_keys_fold_plus_tags_and_evaluation_links_are_forgotten(database_url, tmp_path, capsys):
    """0019: keys fold a +tag (two active registrations of one mailbox are both kept, the later one's key made
    distinct, and named); an address an organiser changed is read from the audit log; each evaluation's
    invitations keep only who was asked, in a table written anew, so that nothing of the old one (its link hashes,
    its answered flags, on PostgreSQL the transaction it shared with an answer) is left; answers are kept. The
    downgrade gives the old columns back without links."""
    from samlinger.evaluations.models import Evaluation, EvaluationAnswer, EvaluationInvitation
    from samlinger.mail.models import OutboundEmail
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    token_hash = "c0ffee" * 10 + "beef"
    with app.app_context():
        empty_database()
        upgrade(revision="0017_evaluations")
        start = utcnow() - timedelta(days=3)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            rows = [(1, "kari+1@alta.kommune.no", "confirmed"), (1, "kari+2@alta.kommune.no", "confirmed"),
                    (1, "kari@alta.kommune.no", "cancelled"), (2, "ola+x@alta.kommune.no", "confirmed"),
                    (2, "per@alta.kommune.no", "confirmed")]
            for n, (gathering_id, email, status) in enumerate(rows, start=1):
                old_registration(conn, gathering_id=gathering_id, status=status, email=email, email_normalized=email,
                                 manage_token_hash=f"{n:064d}", created_at=start - timedelta(days=9, minutes=-n),
                                 checked_in_at=start, added_by_organiser=n == 4)
            conn.execute(text("INSERT INTO audit_entry (created_at, action, object_type, object_id, summary) "
                              "VALUES (:now, 'registration.edit', 'registration', 5, "
                              "'Corrected details for S 2; new address, the old link ended')"), {"now": start})
            conn.execute(text("INSERT INTO evaluation (id, gathering_id, status, auto_open, reminder_days, closes_on, "
                              "opened_at, created_at) VALUES (1, 2, 'open', false, 5, :day, :now, :now)"),
                         {"day": start.date() + timedelta(days=30), "now": start})
            for n in range(6, 206):  # enough invitations that their old pages are not all taken again
                old_registration(conn, gathering_id=2, status="confirmed", email=f"p{n}@alta.kommune.no",
                                 email_normalized=f"p{n}@alta.kommune.no", manage_token_hash=f"{n:064d}",
                                 created_at=start - timedelta(days=9), checked_in_at=start)
            for n, registration_id in enumerate([4, 5, *range(6, 206)], start=1):
                conn.execute(text(
                    "INSERT INTO evaluation_invitation (id, evaluation_id, registration_id, link_secret, token_hash, "
                    "answered, reminded) VALUES (:id, 1, :r, :secret, :hash, :answered, :answered)"),
                    {"id": n, "r": registration_id, "secret": f"{n:064d}", "hash": f"{token_hash[:-4]}{n:04d}",
                     "answered": n == 1})
            conn.execute(text("INSERT INTO evaluation_answer (id, evaluation_id, answers) VALUES (:id, 1, '{}')"),
                         {"id": "a" * 32})
            conn.execute(OutboundEmail.__table__.insert().values(  # queued before the upgrade, not yet written
                kind="evaluation", recipient="per@alta.kommune.no", reply_to="", subject="", text_body="",
                html_body="", status="queued", language="nb", registration_id=5,
                unwritten={"invite": None, "evaluation": f"{token_hash[:-4]}0002"}))
        capsys.readouterr()
        if db.engine.dialect.name == "sqlite":  # as SQLite is built elsewhere (Debian's builds zero by default)
            db.engine.dispose()
            event.listen(db.engine, "connect", lambda conn, _record: conn.execute("PRAGMA secure_delete = OFF"))

        upgrade()
        keys = db.session.scalars(db.select(Registration.email_normalized).order_by(Registration.id)).all()
        assert keys[:5] == ["kari@alta.kommune.no", "kari@alta.kommune.no#dup2", "kari@alta.kommune.no",
                            "ola@alta.kommune.no", "per@alta.kommune.no"]
        assert "registrations 1 and 2 (gathering 1)" in capsys.readouterr().out
        assert db.session.scalar(db.select(Registration.email).where(Registration.id == 1)) == "kari+1@alta.kommune.no"
        assert db.session.scalars(db.select(Registration.address_from_organiser).order_by(Registration.id)
                                  ).all()[:6] == [False, False, False, False, True, False]
        evaluation = db.session.get(Evaluation, 1)
        assert (evaluation.reminded, evaluation.organiser_added) == (True, 2)
        assert db.session.scalars(db.select(EvaluationInvitation.registration_id).order_by(EvaluationInvitation.id)
                                  ).all() == [4, 5, *range(6, 206)]
        assert db.session.scalar(db.select(db.func.count()).select_from(EvaluationAnswer)) == 1
        assert db.session.scalar(db.select(OutboundEmail.unwritten)) == {"invite": None, "evaluation": 1}
        db.session.add(EvaluationInvitation(evaluation_id=1, registration_id=1))  # the id sequence goes on
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            invitations = set(db.session.scalars(text("SELECT xmin::text FROM evaluation_invitation")))
            assert db.session.scalar(text("SELECT xmin::text FROM evaluation_answer")) not in invitations
        db.session.remove()
        db.engine.dispose()  # SQLite: the last connection checkpoints the log into the file
        if db.engine.dialect.name == "sqlite":
            stored = (tmp_path / "test.sqlite").read_bytes()
            assert token_hash[:-4].encode() not in stored, "the old table's pages are zeroed, not just freed"

        downgrade(revision="0017_evaluations")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa_inspect(conn).get_columns("evaluation_invitation")}
            assert {"link_secret", "token_hash", "answered", "reminded"} <= columns
            assert "reminded" not in {c["name"] for c in sa_inspect(conn).get_columns("evaluation")}
            assert conn.execute(text("SELECT count(*) FROM evaluation_invitation WHERE answered")).scalar() == 0
            assert conn.execute(text("SELECT count(*) FROM evaluation_invitation")).scalar() == 203
        upgrade()
        _clean_up()


def test_second_factor_columns_end_every_session_and_the_downgrade_keeps_the_accounts(database_url, tmp_path):
    """0020 adds the second factor and the provider's subject to accounts, and the recovery codes' table; every
    session begun before it (with a password alone) ends. The downgrade drops them and keeps the accounts."""
    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0019_anonymity")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO user_account (email, name, password_hash, role, active, session_version, "
                              "language, created_at) VALUES ('a@b.no', 'A', 'x', 'admin', true, 3, 'nb', "
                              "CURRENT_TIMESTAMP)"))
        upgrade(revision="0020_second_factor_and_provider")
        with db.engine.begin() as conn:  # in SQL: the model describes today's table
            user = conn.execute(text("SELECT id, session_version, totp_secret, oidc_subject FROM user_account")).one()
            assert user.session_version == 4 and user.totp_secret is None and user.oidc_subject is None
            conn.execute(text("UPDATE user_account SET totp_secret = :secret, oidc_subject = :subject WHERE id = :id"),
                         {"secret": "sealed", "subject": "https://idp.example sub-1", "id": user.id})
            conn.execute(text("INSERT INTO recovery_code (user_id, code_hash) VALUES (:user_id, :code_hash)"),
                         {"user_id": user.id, "code_hash": "f" * 64})
        db.session.remove()
        downgrade(revision="0019_anonymity")
        with db.engine.connect() as conn:
            columns = {c["name"] for c in sa_inspect(conn).get_columns("user_account")}
            assert not {"totp_secret", "totp_last_step", "totp_enrolled_at", "oidc_subject"} & columns
            assert "recovery_code" not in sa_inspect(conn).get_table_names()
            assert conn.execute(text("SELECT email FROM user_account")).scalar() == "a@b.no"
        upgrade()
        _clean_up()


def test_confirming_the_address_adds_empty_columns_in_place_and_the_downgrade_drops_them(database_url, tmp_path):
    """0021 adds the gathering's hours to confirm an address in and the registration's deadline and confirmation,
    empty for existing rows (they have nothing to confirm), in place; the downgrade drops them, keeping every row
    and every row that points at one."""
    from samlinger.gatherings.models import Gathering
    from samlinger.registration.models import Registration
    from samlinger.timeutil import utcnow

    app = create_app(base_config(database_url, tmp_path))
    with app.app_context():
        empty_database()
        upgrade(revision="0020_second_factor_and_provider")
        start = utcnow() + timedelta(days=30)
        with db.engine.begin() as conn:
            old_gatherings(conn, start, start.date(), round_table="round")
            old_registration(conn, gathering_id=1, status="confirmed", email="kari@alta.no",
                             email_normalized="kari@alta.no", manage_token_hash="0" * 64, created_at=start)
        upgrade()
        assert db.session.get(Gathering, 1).confirm_address_hours is None
        registration = db.session.scalar(db.select(Registration))
        assert (registration.confirm_by, registration.address_confirmed_at) == (None, None)
        registration.confirm_by = start
        db.session.get(Gathering, 1).confirm_address_hours = 24
        db.session.commit()
        db.session.remove()
        downgrade(revision="0020_second_factor_and_provider")
        with db.engine.connect() as conn:
            assert "confirm_address_hours" not in {c["name"] for c in sa_inspect(conn).get_columns("gathering")}
            columns = {c["name"] for c in sa_inspect(conn).get_columns("registration")}
            assert not {"confirm_by", "address_confirmed_at"} & columns
            assert conn.execute(text("SELECT gathering_id FROM registration")).scalar() == 1
            if db.engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
        upgrade()
        _clean_up()
