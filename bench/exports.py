"""Time the participant export (CSV or XLSX) of a gathering and report the process's peak memory.

    python bench/exports.py --database URL --gathering ID --format csv|xlsx --out FILE

Prints one JSON line. Run in its own process so that the peak memory (ru_maxrss) is the export's.
"""

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from samlinger import spreadsheets  # noqa: E402
from samlinger.extensions import db  # noqa: E402
from samlinger.registration.rows import Table  # noqa: E402


def export(gathering_id: int, fmt: str, out: Path) -> dict:
    """Write the organisers' participant export of one gathering to *out* (the same rows and writers
    as the workspace's download), in the current app context; return rows, bytes and seconds."""
    rows = 0

    started = time.perf_counter()
    table = Table([gathering_id], with_gathering=False)

    def counted():
        nonlocal rows
        for row in table.rows():
            rows += 1
            yield row

    if fmt == "csv":
        with out.open("w", encoding="utf-8", newline="") as f:
            for chunk in spreadsheets.csv_stream(table.headers(), counted()):
                f.write(chunk)
    else:
        spreadsheets.write_xlsx(str(out), table.headers(), counted())
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
