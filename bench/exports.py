"""Time one participant export (CSV or XLSX) of a gathering and report the process's peak memory.

    python bench/exports.py --database URL --gathering ID --format csv|xlsx --out FILE

Prints one JSON line. Run in its own process so that the peak memory (ru_maxrss) is the export's.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samlinger import exports  # noqa: E402
from samlinger.extensions import db  # noqa: E402
from samlinger.registration.models import Registration  # noqa: E402
from samlinger.timeutil import oslo  # noqa: E402

HEADERS = ["Name", "E-mail", "Organisation", "Role", "Phone", "Needs", "Status", "Registered"]


def registration_rows(gathering_id: int):
    """The export's rows, read from the database in batches (never the whole list at once)."""
    result = db.session.execute(
        select(Registration.name, Registration.email, Registration.organisation, Registration.role,
               Registration.phone, Registration.needs, Registration.status, Registration.created_at)
        .where(Registration.gathering_id == gathering_id)
        .order_by(Registration.created_at, Registration.id)
        .execution_options(yield_per=1000)
    )
    for name, email, organisation, role, phone, needs, status, created_at in result:
        yield name, email, organisation, role, phone, needs, status, oslo(created_at)


def export(gathering_id: int, fmt: str, out: Path) -> dict:
    """Write the export to *out* in the current app context; return rows, bytes and seconds."""
    rows = 0

    def counted():
        nonlocal rows
        for row in registration_rows(gathering_id):
            rows += 1
            yield row

    started = time.perf_counter()
    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as f:
            for chunk in exports.csv_stream(HEADERS, counted()):
                f.write(chunk)
    else:
        exports.write_xlsx(str(out), HEADERS, counted())
    seconds = time.perf_counter() - started
    return {"format": fmt, "rows": rows, "bytes": out.stat().st_size, "seconds": round(seconds, 3)}


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    parser.add_argument("--gathering", type=int, required=True)
    parser.add_argument("--format", choices=("csv", "xlsx"), required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    from samlinger import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "bench-exports"})
    with app.app_context():
        before = peak_rss_mb()
        figures = export(args.gathering, args.format, Path(args.out))
        db.session.remove()
        db.engine.dispose()
    figures.update(rss_before_mb=before, peak_rss_mb=peak_rss_mb())
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
