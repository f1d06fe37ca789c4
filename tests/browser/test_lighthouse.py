"""Lighthouse (npm `lighthouse`, with Debian's Chromium) on the pages a participant meets, with its mobile profile
(a mid-range phone on a slow 4G line, simulated): accessibility, best practices and SEO score at least 0.95 and
performance at least 0.9 on the front page, a gathering, its form and the manage page."""

import json
import os
import subprocess

import pytest

from tests.conftest import missing

from .conftest import CHROMIUM, ROOT

pytestmark = pytest.mark.browser

LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
MINIMUM = {"accessibility": 0.95, "best-practices": 0.95, "seo": 0.95, "performance": 0.9}


def lighthouse(url: str, out) -> dict:
    """Lighthouse's scores for *url* ({category: score}) and the audits that lost points."""
    result = subprocess.run(
        [str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
         f"--only-categories={','.join(MINIMUM)}",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-background-networking "
         "--disable-component-update --disable-sync --no-first-run"],
        env=os.environ | {"CHROME_PATH": CHROMIUM}, capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(out.read_text())
    scores = {name: category["score"] for name, category in report["categories"].items()}
    lost = [f"{audit['id']} {audit['score']} {audit.get('displayValue', '')}" for audit in report["audits"].values()
            if audit.get("score") is not None and audit["score"] < 1
            and audit.get("scoreDisplayMode") in ("binary", "numeric")]
    return {"scores": scores, "lost": lost}


@pytest.mark.parametrize("page", ["front", "gathering", "form", "manage"])
def test_lighthouse_scores_on_a_phone(live, tmp_path, page):
    if not os.path.exists(CHROMIUM):
        missing(f"Lighthouse needs Debian's Chromium at {CHROMIUM}")
    if not LIGHTHOUSE.exists():
        missing("Lighthouse is not installed: run `npm install` (package.json)")
    path = {"front": "/", "gathering": f"/samlinger/{live.open}", "form": f"/samlinger/{live.hybrid}/pamelding",
            "manage": f"/pamelding/{live.token}"}[page]
    result = lighthouse(live.url + path, tmp_path / "report.json")
    low = {name: score for name, score in result["scores"].items() if score is None or score < MINIMUM[name]}
    assert not low, f"{page}: {low}; audits that lost points: {result['lost']}"
