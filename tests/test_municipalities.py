"""The municipality register: both data files load as they are, loading again changes nothing, a bad row
names its line and leaves the register as it was, and the command says so with exit code 1."""

from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from samlinger.audit.models import AuditEntry
from samlinger.extensions import db
from samlinger.municipalities import importing
from samlinger.municipalities.models import Municipality
from samlinger.refusal import Refused

FINNMARK = importing.DATA / "municipalities-finnmark.csv"
ROGALAND = importing.DATA / "municipalities-rogaland.csv"
GOOD = "number,name,language_decision\n1101,Eigersund,bokmål\n1103,Stavanger,nøytral\n1119,Time,nynorsk\n"


def register() -> dict[str, Municipality]:
    return {m.number: m for m in db.session.scalars(select(Municipality))}


def snapshot() -> list[tuple]:
    return [(m.number, m.name, m.sami_name, m.language_decision, m.sami_area, m.active, m.county)
            for m in db.session.scalars(select(Municipality).order_by(Municipality.number))]


def test_the_repository_copies_are_the_shared_files():
    shared = importing.DATA.parents[2].parent / "shared" / "data"
    if not shared.is_dir():
        pytest.skip("no ../shared/data next to the repository")
    for name in ("municipalities-finnmark.csv", "municipalities-rogaland.csv"):
        assert (importing.DATA / name).read_bytes() == (shared / name).read_bytes()


def test_finnmark_loads_with_its_sami_names_and_area(ctx):
    result = importing.load(FINNMARK.read_bytes(), county="Finnmark")
    assert (result.added, result.changed, result.unchanged) == (18, 0, 0)
    found = register()
    assert len(found) == 18
    assert Counter(m.language_decision for m in found.values()) == {"unknown": 18}
    assert sorted(m.name for m in found.values() if m.sami_area) == [
        "Karasjok", "Kautokeino", "Nesseby", "Porsanger", "Tana"]
    karasjok = next(m for m in found.values() if m.name == "Karasjok")
    assert karasjok.sami_name == "Kárášjohka" and karasjok.county == "Finnmark" and karasjok.active
    assert karasjok.written_standard is None, "unknown counts as neutral"
    assert found["5601"].name == "Alta" and found["5601"].sami_name == "" and not found["5601"].sami_area


def test_rogaland_loads_without_sami_columns(ctx):
    result = importing.load(ROGALAND.read_bytes())
    assert result.added == 23
    found = register()
    assert Counter(m.language_decision for m in found.values()) == {"bokmal": 2, "nynorsk": 8, "neutral": 13}
    assert found["1146"].name == "Tysvær", "the file corrects the county governor's page: Tysvær is 1146"
    assert {m.written_standard for m in found.values()} == {"nb", "nn", None}
    assert not any(m.sami_area or m.sami_name for m in found.values())


def test_loading_again_changes_nothing_and_keeps_what_an_admin_set(ctx):
    importing.load(FINNMARK.read_bytes())
    alta = register()["5601"]
    alta.language_decision = "bokmal"
    db.session.commit()
    before = snapshot()
    again = importing.load(FINNMARK.read_bytes())
    assert (again.added, again.changed, again.unchanged) == (0, 0, 18)
    assert snapshot() == before, "an unknown in the file does not undo a known decision"
    assert register()["5601"].written_standard == "nb"


def test_a_file_updates_by_number_and_leaves_columns_it_lacks(ctx):
    importing.load(FINNMARK.read_bytes())
    importing.load("number,name,language_decision\n5601,Alta,bokmål\n5610,Karasjok,nøytral\n".encode())
    found = register()
    assert found["5601"].language_decision == "bokmal"
    assert found["5610"].language_decision == "neutral"
    assert found["5610"].sami_name == "Kárášjohka" and found["5610"].sami_area, "no sami columns: kept"
    assert len(found) == 18


def test_an_import_is_in_the_audit_log_with_counts_only(ctx):
    importing.load(GOOD.encode())
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "municipality.import")).one()
    assert entry.summary == "3 municipalities: 3 new, 0 changed, 0 unchanged"


BAD_FILES = [
    # (what is wrong, file, code, line)
    ("unknown language word", GOOD + "1120,Klepp,nynorskt\n", "municipalities.bad_language", 5),
    ("three digits", GOOD + "112,Klepp,nynorsk\n", "municipalities.bad_number", 5),
    ("five digits", "number,name,language_decision\n11200,Klepp,nynorsk\n", "municipalities.bad_number", 2),
    ("letters in the number", "number,name,language_decision\n11a0,Klepp,nynorsk\n", "municipalities.bad_number", 2),
    ("Arabic-Indic digits", "number,name,language_decision\n١١٢٠,Klepp,nynorsk\n", "municipalities.bad_number", 2),
    ("duplicate number", GOOD + "1120,Klepp,nynorsk\n1103,Stavanger,bokmål\n", "municipalities.duplicate", 6),
    ("missing name", GOOD + "1120,,nynorsk\n", "municipalities.missing_name", 5),
    ("wrong header", "nummer,navn,målform\n1120,Klepp,nynorsk\n", "municipalities.bad_header", 1),
    ("unknown column", "number,name,language_decision,mayor\n1120,Klepp,nynorsk,X\n", "municipalities.bad_header", 1),
    ("too few cells", GOOD + "1120,Klepp\n", "municipalities.bad_row", 5),
    ("sami_area not yes/no", "number,name,language_decision,sami_area\n5610,Karasjok,unknown,kanskje\n",
     "municipalities.bad_yes_no", 2),
    ("a name over two lines", GOOD + '1120,"Kle\npp",nynorsk\n', "municipalities.bad_name", 6),
]


@pytest.mark.parametrize("kind, text, code, line", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_bad_row_names_its_line_and_changes_nothing(ctx, kind, text, code, line):
    importing.load(FINNMARK.read_bytes())
    before = snapshot()
    with pytest.raises(Refused) as refused:
        importing.load(text.encode())
    assert refused.value.code == code
    assert f" {line}:" in str(refused.value), str(refused.value)
    assert snapshot() == before
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == 1, "only the first import"


def test_a_file_not_in_utf8_names_the_first_bad_line(ctx):
    data = (GOOD + "1120,Klepp,nynorsk\n1121,Gjesdal,bokmål\n").encode("latin-1")
    with pytest.raises(Refused) as refused:
        importing.load(data)
    assert refused.value.code == "municipalities.not_utf8"
    assert " 2:" in str(refused.value), "Eigersund,bokmål on line 2 is the first byte that is not UTF-8"
    assert register() == {}


def test_a_byte_order_mark_and_semicolons_from_excel_are_read(ctx):
    importing.load("\ufeffnumber;name;language_decision\r\n1119;Time;nynorsk\r\n".encode())
    assert register()["1119"].written_standard == "nn"


def test_huge_files_and_empty_files_are_refused(ctx):
    with pytest.raises(Refused) as refused:
        importing.load(GOOD.encode() + b"\n" * importing.MAX_BYTES)
    assert refused.value.code == "municipalities.too_large"
    with pytest.raises(Refused) as refused:
        importing.load(b"number,name,language_decision\n")
    assert refused.value.code == "municipalities.empty"
    assert register() == {}


def test_a_decision_outside_the_list_cannot_be_stored(ctx):
    db.session.add(Municipality(number="9999", name="Prøve", language_decision="samisk"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_command_loads_a_file(app, runner):
    result = runner.invoke(args=["load-municipalities", str(ROGALAND), "--county", "Rogaland"])
    assert result.exit_code == 0, result.output
    assert "23 municipalities: 23 new, 0 changed, 0 unchanged" in result.output
    with app.app_context():
        assert {m.county for m in register().values()} == {"Rogaland"}


def test_the_command_refuses_a_bad_file_with_its_line_on_stderr(app, runner, tmp_path):
    bad = tmp_path / "kommuner.csv"
    bad.write_text(GOOD + "1120,Klepp,nynorskt\n", encoding="utf-8")
    result = runner.invoke(args=["load-municipalities", str(bad)])
    assert result.exit_code == 1
    assert " 5:" in result.stderr and "nynorskt" in result.stderr
    assert result.stdout == ""
    with app.app_context():
        assert register() == {}, "nothing half-imported"


def test_seed_demo_loads_finnmark_once(app, runner):
    from samlinger.offices.registry import offices
    from samlinger.offices.scope import use_office

    for _ in range(2):
        assert runner.invoke(args=["seed-demo"]).exit_code == 0
    with app.app_context(), use_office(offices().first):  # Rogaland's register is its office's
        found = register()
        assert len(found) == 18 and {m.county for m in found.values()} == {"Finnmark"}


def test_an_edit_with_a_decision_outside_the_list_is_refused(ctx):
    from samlinger.municipalities import service
    importing.load(GOOD.encode())
    time = register()["1119"]
    with pytest.raises(Refused) as refused:
        service.edit(time, language_decision="samisk", sami_name="", sami_area=False, active=True)
    assert refused.value.code == "municipalities.bad_language"
    assert service.edit(time, language_decision="nynorsk", sami_name="", sami_area=False, active=True) is False
    assert service.edit(time, language_decision="bokmal", sami_name="", sami_area=False, active=True) is True
    assert [m.number for m in service.register()] == ["1101", "1103", "1119"]
