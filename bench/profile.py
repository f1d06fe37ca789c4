"""Profile one endpoint with pyinstrument, in process, against a freshly seeded SQLite database.

    python bench/profile.py / [--requests 200] [--post]

Writes bench/results/profile-<name>.txt (and .html) and prints the text profile's top.
"""

import argparse
import re
import sys
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import seed as seeding  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--post", action="store_true", help="POST a registration to the path instead")
    parser.add_argument("--database", help="an existing seeded database URL")
    args = parser.parse_args()
    from pyinstrument import Profiler

    from samlinger import create_app

    url = args.database
    if url is None:
        url = seeding.sqlite_url(tempfile.mkdtemp(prefix="samlinger-profile-"))
        seeding.prepare(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False, "SECRET_KEY": "profile"})
    client = app.test_client()
    token = None
    if args.post:
        page = client.get(args.path).get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    for _ in range(5):
        client.get(args.path)
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for n in range(args.requests):
        if args.post:
            response = client.post(args.path, data={
                "csrf_token": token, "name": "Profil", "email": f"profil-{n}@bench.example.no",
                "organisation": "Alta kommune", "consent": "y"})
            assert response.status_code == 302, response.status_code
        else:
            assert client.get(args.path).status_code == 200
    profiler.stop()
    name = re.sub(r"[^a-z0-9]+", "-", args.path.lower()).strip("-") or "front"
    name += "-post" if args.post else ""
    (BENCH / "results").mkdir(exist_ok=True)
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    (BENCH / "results" / f"profile-{name}.txt").write_text(text)
    (BENCH / "results" / f"profile-{name}.html").write_text(profiler.output_html())
    print("\n".join(text.splitlines()[:80]))


if __name__ == "__main__":
    main()
