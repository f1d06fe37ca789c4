"""Exports of participants: files that open correctly in Norwegian Excel, and a printable list."""

import csv
import io
from datetime import UTC, datetime

import openpyxl

from samlinger.extensions import db
from samlinger.registration.models import Registration

from .conftest import post


def read_csv(response) -> list[list[str]]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM, so that Excel keeps æøå"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_gathering_csv_and_xlsx_have_every_field_and_are_safe(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=1)
    first = register(gid, "Åse Ødegård", "ase@vardo.kommune.no", "Vardø kommune", needs="Glutenfri; laktosefri")
    register(gid, "=HYPERLINK(\"http://evil\")", "evil@alta.kommune.no", "@Alta", role="+47 Rådgiver")
    with app.app_context():
        registration = db.session.get(Registration, first)
        registration.created_at = datetime(2027, 1, 15, 23, 30, tzinfo=UTC)  # 16 January 00:30 in Oslo
        registration.checked_in_at = datetime(2027, 7, 1, 8, 5, tzinfo=UTC)  # summer time: 10:05 in Oslo
        db.session.commit()

    response = organiser.get(f"/arrangor/samlinger/{gid}/deltakere.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    header = rows[0]
    assert len(header) > 5, "columns are split on semicolons"
    assert header[:4] == ["Navn", "E-post", "Kommunenummer", "Kommune eller virksomhet"]
    ase = dict(zip(header, rows[1], strict=True))
    assert ase["Navn"] == "Åse Ødegård"
    assert ase["Behov"] == "Glutenfri; laktosefri"
    assert ase["Status"] == "Bekreftet"
    assert ase["Påmeldt"] == "2027-01-16 00:30"
    assert ase["Sjekket inn"] == "2027-07-01 10:05"
    evil = dict(zip(header, rows[2], strict=True))
    assert evil["Navn"] == "'=HYPERLINK(\"http://evil\")"
    assert evil["Kommune eller virksomhet"] == "'@Alta"
    assert evil["Rolle eller stilling"] == "'+47 Rådgiver"
    assert evil["Status"] == "Venteliste"

    response = organiser.get(f"/arrangor/samlinger/{gid}/deltakere.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.content_length == len(response.get_data()) > 0  # sent from its temporary file
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == header
    assert values[1][0] == "Åse Ødegård"
    assert values[1][header.index("Påmeldt")] == datetime(2027, 1, 16, 0, 30)
    assert values[2][0].startswith("'=")
    assert sheet.cell(row=3, column=1).data_type != "f", "no live formula"

    assert organiser.get(f"/arrangor/samlinger/{gid}/deltakere.exe").status_code == 404
    with app.app_context():
        from samlinger.audit.models import AuditEntry

        assert db.session.query(AuditEntry).filter_by(action="registration.export").count() == 2


def add_question(app, gathering_id, label, kind="text", choices=(), position=0) -> str:
    from samlinger.questions.models import Question

    with app.app_context():
        question = Question(gathering_id=gathering_id, label=label, kind=kind, choices=list(choices),
                            position=position)
        db.session.add(question)
        db.session.commit()
        return question.key


def test_round_export_covers_every_gathering_with_their_questions(app, organiser, make_gathering, register):
    east = make_gathering(title="Samling i øst")
    west = make_gathering(title="Samling i vest")
    east_hotel = add_question(app, east, "Trenger du hotell?", kind="yesno")
    west_hotel = add_question(app, west, "Trenger du hotell?", kind="yesno")
    west_topic = add_question(app, west, "Tema du ønsker", position=1)
    register(east, "Øst Person", "ost@alta.kommune.no", answers={east_hotel: "yes"})
    register(west, "Vest Person", "vest@bergen.kommune.no", answers={west_hotel: "no", west_topic: "=1+2"})
    with app.app_context():
        from samlinger.gatherings.models import Gathering

        round_id = db.session.get(Gathering, east).round_id
    rows = read_csv(organiser.get(f"/arrangor/runder/{round_id}/deltakere.csv"))
    header = rows[0]
    assert header[:3] == ["Samling", "Dato for samlingen", "Navn"]
    assert header.count("Trenger du hotell?") == 1, "the same question in two gatherings is one column"
    by_name = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_name["Øst Person"]["Samling"] == "Samling i øst"
    assert by_name["Øst Person"]["Trenger du hotell?"] == "Ja"
    assert by_name["Øst Person"]["Tema du ønsker"] == ""
    assert by_name["Vest Person"]["Trenger du hotell?"] == "Nei"
    assert by_name["Vest Person"]["Tema du ønsker"] == "'=1+2"
    sheet = openpyxl.load_workbook(io.BytesIO(organiser.get(f"/arrangor/runder/{round_id}/deltakere.xlsx")
                                              .get_data())).active
    assert sheet.max_row == 3


def test_printable_list_has_signature_column_and_print_styles(app, organiser, make_gathering, register):
    gid = make_gathering(capacity=1)
    register(gid, "Åse Ødegård", "ase@vardo.kommune.no", "Vardø kommune")
    register(gid, "Venter Vik", "venter@alta.kommune.no")
    page = organiser.get(f"/arrangor/samlinger/{gid}/deltakerliste").get_data(as_text=True)
    assert "Signatur" in page and "Åse Ødegård" in page and "Vardø kommune" in page
    assert "Venter Vik" not in page
    with organiser.get("/static/workspace.css") as response:
        css = response.get_data(as_text=True)
    assert "@media print" in css and ".site-nav" in css
    # The list's cancel links still work after printing styles are added.
    assert post(organiser, f"/arrangor/samlinger/{gid}/deltakere", form_url="/arrangor/").status_code == 405


def test_exports_are_in_the_page_language_for_every_row(app, organiser, make_gathering, register):
    from samlinger.registration import service as registration

    gid = make_gathering(capacity=5)
    hotel = add_question(app, gid, "Trenger du hotell?", kind="yesno")
    register(gid, "Åse Ødegård", "ase@vardo.kommune.no", answers={hotel: "yes"})
    gone = register(gid, "Ola Avmeldt", "ola@alta.kommune.no", answers={hotel: "no"})
    with app.app_context():
        registration.register(gid, {"name": "Kari Lagtinn", "organisation": "Alta kommune"},
                              email="kari@alta.kommune.no", language="nn", by_organiser=True)
        registration.cancel(gone)

    def table(language, file_format):
        prefix = "" if language == "nb" else f"/{language}"
        response = organiser.get(f"{prefix}/arrangor/samlinger/{gid}/deltakere.{file_format}")
        if file_format == "csv":
            rows = read_csv(response)
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
            rows = [["" if cell.value is None else cell.value for cell in row] for row in sheet.iter_rows()]
        return {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}

    nb = table("nb", "csv")
    assert [(nb[name]["Status"], nb[name]["Lagt til av arrangør"], nb[name]["Trenger du hotell?"])
            for name in ("Åse Ødegård", "Kari Lagtinn", "Ola Avmeldt")] == [
        ("Bekreftet", "Nei", "Ja"), ("Bekreftet", "Ja", ""), ("Meldt av", "Nei", "Nei")]
    en = table("en", "xlsx")
    assert [(en[name]["Status"], en[name]["Added by organiser"], en[name]["Trenger du hotell?"])
            for name in ("Åse Ødegård", "Kari Lagtinn", "Ola Avmeldt")] == [
        ("Confirmed", "No", "Yes"), ("Confirmed", "Yes", ""), ("Cancelled", "No", "No")]
    assert en["Kari Lagtinn"]["E-mail language"] == "nn"
