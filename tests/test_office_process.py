"""A second office created on a running installation: gunicorn with several workers serves a database with data,
`flask create-office` runs as a process of its own beside it, and then every worker serves the new office's
section and lists both offices at / — each process reads the offices again when the content version moves
(offices/registry.py), also a worker whose pages and offices were kept from before."""

import re
import subprocess
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from samlinger import ROOT
from samlinger.extensions import db

from . import factories
from .conftest import postgres_database
from .test_processes import FLASK, Deployment, _sqlite, gunicorn, production_env

pytestmark = pytest.mark.slow

WORKERS = 3
#: the access log names the worker (its pid) that answered each request
ACCESS_FORMAT = "--access-logformat '%(p)s \"%(r)s\" %(s)s'"


@pytest.fixture(params=["sqlite", "postgresql"])
def installation(request, tmp_path):
    """An installation of one office set up as an operator does (`flask db upgrade`), with a gathering."""
    with (postgres_database("samlinger_office") if request.param == "postgresql" else _sqlite(tmp_path)) as url:
        env = production_env(url, tmp_path, SAMLINGER_OFFICE_NAME="Statsforvalteren i Finnmark",
                             SAMLINGER_OFFICE_SLUG="finnmark", GUNICORN_CMD_ARGS=ACCESS_FORMAT)
        upgrade = subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True,
                                 timeout=600)
        assert upgrade.returncode == 0, upgrade.stderr
        deployment = Deployment(url, env, tmp_path)
        app = deployment.app()
        with app.app_context():
            factories.gathering(slug="samling-alta", title="Samling i Alta")
            db.session.remove()
            db.engine.dispose()
        yield deployment


def answered_by(log, path: str, since: int) -> dict:
    """{worker pid: [statuses]} of the requests for *path* in the access log from byte *since* on."""
    seen = defaultdict(list)
    text = log.read_bytes()[since:].decode()
    for pid, requested, status in re.findall(r'^<(\d+)> "GET (\S+) HTTP/1\.1" (\d+)$', text, re.M):
        if requested == path:
            seen[pid].append(int(status))
    return seen


def every_worker_answers(base: str, log, path: str, check, timeout: float = 120) -> dict:
    """Request *path* six at a time (a sync worker answers one at a time, so they spread over the workers) until
    each of the WORKERS has answered it from now on; *check* every answer. Returns {pid: statuses}."""
    since = log.stat().st_size
    deadline = time.monotonic() + timeout
    with ThreadPoolExecutor(6) as pool:
        while True:
            for response in pool.map(lambda _: requests.get(base + path, timeout=30), range(6)):
                check(response)
            seen = answered_by(log, path, since)
            if len(seen) >= WORKERS:
                return seen
            assert time.monotonic() < deadline, f"{path}: answered by {len(seen)} of {WORKERS} workers"


def test_an_office_created_beside_running_workers_is_served_by_every_worker(installation):
    log = installation.folder / "access.log"

    def one_office(response):
        assert response.status_code == 200 and "Samling i Alta" in response.text

    with gunicorn(installation, workers=WORKERS, access_log=str(log)) as base:
        # Every worker has read the one office, and keeps / and the gathering's page.
        every_worker_answers(base, log, "/", one_office)
        every_worker_answers(base, log, "/samlinger/samling-alta", one_office)
        assert requests.get(base + "/rogaland/", timeout=30).status_code == 404

        created = subprocess.run(
            [*FLASK, "create-office", "rogaland", "--name", "Statsforvalteren i Rogaland", "--name-nn",
             "Statsforvaltaren i Rogaland", "--default-language", "nn", "--languages", "nn,nb,en"],
            cwd=ROOT, env=installation.env, capture_output=True, text=True, timeout=300)
        assert created.returncode == 0, created.stderr
        assert "created office rogaland" in created.stdout

        def new_office(response):
            assert response.status_code == 200, response.status_code
            assert 'lang="nn"' in response.text and "Samling i Alta" not in response.text

        def both_listed(response):
            assert response.status_code == 200
            assert 'href="/finnmark/"' in response.text and 'href="/nb/rogaland/"' in response.text
            assert "Samling i Alta" not in response.text, "/ lists the offices now"

        def first_office(response):
            assert response.status_code == 200 and "Samling i Alta" in response.text

        seen = every_worker_answers(base, log, "/rogaland/", new_office)
        assert all(set(statuses) == {200} for statuses in seen.values())
        every_worker_answers(base, log, "/", both_listed)
        every_worker_answers(base, log, "/finnmark/", first_office)
        # The first office's addresses of before stay its own.
        for path in ("/samlinger/samling-alta", "/finnmark/samlinger/samling-alta"):
            assert requests.get(base + path, timeout=30).status_code == 200, path
        assert requests.get(base + "/rogaland/samlinger/samling-alta", timeout=30).status_code == 404
