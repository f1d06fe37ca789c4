"""Valid HTML on every page: the W3C Nu Html Checker (the npm package vnu-jar, run with the system's Java) finds no
error on any public page in any of the four languages, on the register form sent empty, nor on any workspace page
in its three languages. It needs Java (apt-get install default-jre-headless) and `npm install` (vnu-jar)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from samlinger.evaluations.models import Evaluation
from samlinger.extensions import db
from tests.conftest import csrf_token, log_in, missing

from .conftest import ADMIN, LANGUAGES, ROOT, WORKSPACE_LANGUAGES, prefix
from .test_accessibility import public_pages

pytestmark = pytest.mark.browser

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_command() -> list[str]:
    java = shutil.which("java")
    if java is None:
        missing("the HTML check needs Java: apt-get install -y default-jre-headless")
    if not VNU.exists():
        missing(f"the HTML check needs the Nu Html Checker at {VNU.relative_to(ROOT)}: run `npm install`")
    return [java, "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json"]


def save(directory: Path, name: str, html: str) -> None:
    (directory / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name).strip('_') or 'root'}.html").write_text(html)


def public_html(live, directory: Path) -> int:
    client = live.app.test_client()
    pages = public_pages(live) + [("gathering-hybrid", f"/samlinger/{live.hybrid}"),
                                  ("register-hybrid", f"/samlinger/{live.hybrid}/pamelding")]
    count = 0
    for language in LANGUAGES:
        for name, path in pages:
            response = client.get(prefix(language) + path)
            if response.status_code == 302 and language not in WORKSPACE_LANGUAGES:
                continue  # the login pages are not in Sami: they answer in the default language
            assert response.status_code in (200, 404), (path, response.status_code)
            save(directory, f"public-{language}-{name}", response.get_data(as_text=True))
            count += 1
        # The form sent empty: the error summary and every field's message.
        form = f"{prefix(language)}/samlinger/{live.hybrid}/pamelding"
        response = client.post(form, data={"csrf_token": csrf_token(client, form)})
        assert response.status_code == 422
        save(directory, f"public-{language}-register-errors", response.get_data(as_text=True))
        count += 1
    return count


def workspace_html(live, directory: Path) -> int:
    """Every workspace page reachable by links from the dashboard: in Bokmål every address (each gathering's pages
    differ: documents, evaluations, sides), in Nynorsk and English one of each kind of address."""
    client = live.app.test_client()
    assert log_in(client, *ADMIN).status_code == 302
    with live.app.app_context():  # the results of a closed evaluation: charts, tables and free text
        closed = next(e for e in db.session.scalars(select(Evaluation)) if e.state() == "closed")
        results = [f"samlinger/{closed.gathering_id}/evalueringsresultat",
                   f"samlinger/{closed.gathering_id}/evalueringsrapport",
                   f"runder/{closed.gathering.round_id}/evaluering"]
    count = 0
    for language in WORKSPACE_LANGUAGES:
        start = f"{prefix(language)}/arrangor/"
        seen, queue = set(), [start] + [start + path for path in results]
        while queue:
            path = queue.pop(0)
            kind = re.sub(r"\d+", "N", path.split("?")[0])
            key = path.split("?")[0] if language == "nb" else kind
            if key in seen:
                continue
            seen.update({key, kind})
            response = client.get(path)
            if response.status_code != 200 or not response.content_type.startswith("text/html"):
                continue
            html = response.get_data(as_text=True)
            queue += [href.replace("&amp;", "&") for href in re.findall(rf'href="({re.escape(start)}[^"]*)"', html)
                      if not href.endswith((".csv", ".xlsx", ".ics", ".pdf"))]
            save(directory, f"workspace-{language}-{kind}", html)
            count += 1
        assert {f"{start}samlinger/N/deltakere", f"{start}kommuner/", f"{start}rekkevidde/"} <= seen, seen
    return count


def test_every_page_is_valid_html(live, tmp_path):
    command = vnu_command()
    pages = public_html(live, tmp_path) + workspace_html(live, tmp_path)
    assert pages > 100, pages
    result = subprocess.run([*command, str(tmp_path)], capture_output=True, text=True, timeout=600)
    output = result.stderr.strip() or result.stdout.strip()
    assert output.startswith("{"), (
        f"the Nu Html Checker did not answer in JSON (exit {result.returncode}): {output[:500]}")
    messages = json.loads(output)["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m['message']} "
              f"[{(m.get('extract') or '').strip()[:80]}]" for m in messages if m.get("type") == "error"]
    assert not errors, f"{len(errors)} errors in {pages} pages:\n" + "\n".join(errors[:60])
