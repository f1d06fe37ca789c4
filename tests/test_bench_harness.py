"""The benchmark harness at a small size, so that `make bench` cannot rot unnoticed: seeding two offices, every
endpoint of each office it measures, the export timing, the lost-write check and the report."""

import csv
import io
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bench import exports as export_timing
from bench import run, seed
from samlinger.documents.models import Document
from samlinger.extensions import db
from samlinger.gatherings.models import Gathering, Round
from samlinger.municipalities.models import Municipality
from samlinger.offices.registry import offices
from samlinger.offices.scope import use_office
from samlinger.registration import service
from samlinger.registration.models import Registration

from .conftest import csrf_token

FIRST, SECOND = seed.OFFICES


@pytest.fixture
def app_config(app_config):
    return app_config | seed.FIRST_OFFICE_SETTINGS  # as bench/run.py serves it: the first office at /finnmark/


def test_seed_exports_and_write_check(app, client, tmp_path):
    with app.app_context():
        seeded = seed.seed(gatherings=12, registrations=400, export_sizes=(50, 200), per_round=5)
        second = seed.seed(gatherings=12, registrations=400, export_sizes=(50, 200), per_round=5, office=SECOND)
        assert [o.slug for o in offices().all] == ["finnmark", "rogaland"]
        assert seeded.gatherings == 12 and seeded.registrations == 400 and seeded.documents > 0
        assert second.gatherings == 12 and second.registrations == 400
        assert db.session.scalar(select(func.count()).select_from(Gathering)) == 24
        for office in offices().all:  # each office has its own of everything
            with use_office(office):
                assert db.session.scalar(select(func.count()).select_from(Gathering)) == 12
                assert db.session.scalar(select(func.count()).select_from(Round)) == 3
                assert db.session.scalar(select(func.count()).select_from(Registration)) == 400
                counties = set(db.session.scalars(select(Municipality.county)))
                assert counties == {"Finnmark" if office.slug == "finnmark" else "Rogaland"}
        assert db.session.scalar(select(func.count()).select_from(Document)) == seeded.documents + second.documents
        assert sorted(seeded.export_gatherings.values()) == [50, 200]
        # The reach page has something to show: municipalities, check-ins, withdrawals, another organisation.
        for condition in (Registration.municipality_id.is_not(None), Registration.municipality_id.is_(None),
                          Registration.checked_in_at.is_not(None), Registration.status == "cancelled"):
            assert db.session.scalar(select(func.count()).where(condition)), condition

        figures = []
        for gathering_id, size in seeded.export_gatherings.items():
            for fmt in ("csv", "xlsx"):
                out = tmp_path / f"{size}.{fmt}"
                result = export_timing.export(gathering_id, fmt, out)
                assert result["rows"] == size and result["bytes"] == out.stat().st_size
                figures.append({**result, "size": size, "peak_rss_mb": 100.0})
                if fmt == "csv":
                    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")), delimiter=";"))
                    assert rows[0][:2] == ["Navn", "E-post"] and len(rows) == size + 1
                else:
                    workbook = load_workbook(out, read_only=True)
                    assert sum(1 for _ in workbook.active.iter_rows()) == size + 1
                    workbook.close()
        db.session.remove()

    # The benchmark's own gatherings are there and open in each office: the pages and the form it measures
    # answer, each office's with its own gatherings, also when kept (asked twice).
    assert {run.OFFICE_OF[name].slug for name in run.OFFICE_OF} == {"finnmark", "rogaland"}
    assert len(run.ENDPOINTS) == 2 * (len(run.PAGES) * len(run.READERS) + 1) + len(run.NATIONAL)
    for _ in range(2):
        for _name, _method, path, _target in run.ENDPOINTS:
            assert client.get(path).status_code == 200, path
        finnmark, rogaland = client.get("/finnmark/").get_data(as_text=True), client.get("/rogaland/").get_data(
            as_text=True)
        assert 'href="/finnmark/samlinger/bench-detail"' in finnmark and "rogaland-bench" not in finnmark
        assert 'href="/rogaland/samlinger/rogaland-bench-detail"' in rogaland and '/bench-detail"' not in rogaland
        assert '<html lang="nn"' in rogaland and '<html lang="nb"' in finnmark
    national = client.get("/api/v1/gatherings").get_json()["gatherings"]
    assert {g["office"]["slug"] for g in national} == {"finnmark", "rogaland"}
    # The form the POST and the registered reader send, as they send it, is accepted in each office.
    for office in seed.OFFICES:
        path = run.register_path(office)
        form = {"csrf_token": csrf_token(client, path), "name": "Bench Leser", "role": "", "phone": "", "needs": "",
                "email": f"reader-{office.slug}@bench.example.no", "organisation": office.organisation, "consent": "y"}
        assert client.post(path, data=form).status_code == 302, office.slug

    with app.app_context():
        for office, count in ((FIRST, 3), (SECOND, 2)):
            with use_office(offices().by_slug(office.slug)):
                slug = office.slug_of(seed.REGISTER_SLUG)
                gathering_id = db.session.scalar(select(Gathering.id).where(Gathering.slug == slug))
                for n in range(count):
                    service.register(gathering_id, {"name": "Bench", "organisation": "Alta"},
                                     email=f"r0-t1-{office.slug}-{n}@bench.example.no", language="nb")
        url = db.engine.url.render_as_string(hide_password=False)
        db.session.remove()
    # (and the reader of each office registered above: one more registration per office than the redirects)
    assert run.check_writes(url, 4, seed.REGISTER_SLUG)["ok"]
    assert run.check_writes(url, 3, seed.REGISTER_SLUG)["ok"]  # a request still in flight when wrk stopped counting
    assert run.check_writes(url, 3, SECOND.slug_of(seed.REGISTER_SLUG))["ok"]
    assert run.check_writes(url, 7)["ok"], "without a gathering: every office's"
    missing = run.check_writes(url, 6, seed.REGISTER_SLUG)
    assert missing["lost_writes"] == 2 and not missing["ok"]

    entry = {"name": "registration POST", "target": 0.25, "ratio": 0.5, "p99_ratio": 1.5, "failed": 0,
             "redirects": 3, "register_slug": seed.REGISTER_SLUG, "app_rps": 500.0, "baseline_rps": 1000.0,
             "app_p50_ms": 10.0, "app_p99_ms": 20.0,
             "app_cpu_ms": 2.0, "baseline_cpu_ms": 0.5}
    run.judge([entry], url)
    assert entry["met"] and entry["writes"]["registrations"] == 4
    args = SimpleNamespace(workers=2, worker_class="sync", gunicorn_threads=1, threads=2, connections=32,
                           duration=10, rounds=2)
    shown = {**entry, "name": "front page, language chosen", "target": None, "redirects": 0}
    del shown["redirects"]
    run.judge([shown], url)
    assert shown["met"] is None, "measured, not judged"
    report = run.summary([entry, shown], figures, args, "SQLite (WAL)")
    assert "| registration POST | 500 | 1000 | 0.50 (≥ 0.25)" in report
    assert "| front page, language chosen | 500 | 1000 | 0.50 (not judged)" in report and "| – |" in report
    assert "| XLSX | 200 |" in report
    reach = {"name": run.REACH_NAME, "connections": 1, "limit_ms": 200, "app_rps": 10.0, "app_p50_ms": 60.0,
             "app_p99_ms": 150.0, "app_cpu_ms": 50.0, "failed": 0, "met": True}
    assert "| reach page, ten years | 10.0 | 60.0 | 150.0 (< 200) | 50.0 | 0 | yes |" in run.summary(
        [], [], args, "SQLite (WAL)", reach)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 807
