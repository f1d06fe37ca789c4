"""Measure samlinger side by side with a bare Flask app: `make bench`, or

    .venv/bin/python bench/run.py [--database sqlite|postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                  [--duration 10] [--connections 32] [--threads 2] [--workers 2] [--rounds 2]

It seeds a database with two offices (each 200 gatherings over ten years, 20,000 registrations, documents, its
register), starts the app and a bare Flask app under gunicorn with the same settings, and runs wrk against each
endpoint of each office and the national ones, alternating the two so that a noisy machine affects both alike.
It prints every figure as a ratio to the bare Flask app, checks that every registration POST answered with a
redirect wrote exactly one registration and one outbox row in its office's gathering, times CSV and XLSX exports
of 1,000 and 10,000 registrations, measures the organisers' reach page over the ten years (logged in, one
connection, p99 under 200 ms), and writes everything to bench/results/. With a PostgreSQL URL, a database of its
own is created on that server and dropped after.
"""

import argparse
import html
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import seed as seeding  # noqa: E402

#: the public pages and feeds of each office, each read by three kinds of reader
PAGES = [("front page", "/"), ("gathering page", "/samlinger/{detail}"), ("gathering .ics", "/samlinger/{detail}.ics"),
         ("JSON API", "/api/v1/gatherings"), ("ICS feed", "/samlinger.ics")]
#: (how the reader is named, the language of their addresses: None = the office's own, "other" = its other
#: Norwegian standard): a reader without a cookie, a reader of a link in the other standard (/nn/finnmark/…,
#: /nb/rogaland/…), and a reader who has registered (a session cookie: CSRF token and receipt)
READERS = [("", None), (", in {other}", "other"), (", after registering", None)]
STANDARDS = {"nb": "Bokmål", "nn": "Nynorsk"}
#: the addresses of no office, once there are several: the list of offices and every office's gatherings
NATIONAL = [("list of offices", "/"), ("national JSON API", "/api/v1/gatherings")]


def _endpoints():
    """(name, method, path, target ratio to bare Flask, or None: measured, not judged), and each one's office."""
    endpoints, office_of = [], {}
    for office in seeding.OFFICES:
        detail = office.slug_of(seeding.DETAIL_SLUG)
        for reader, language in READERS:
            for page, path in PAGES:
                name = f"{office.slug}: {page}{reader.format(other=STANDARDS[office.other])}"
                endpoints.append((name, "GET", office.path(path.format(detail=detail),
                                                           office.other if language else ""), 0.5))
                office_of[name] = office
    endpoints += [(name, "GET", path, 0.5) for name, path in NATIONAL]
    for office in seeding.OFFICES:
        name = f"{office.slug}: registration POST"
        endpoints.append((name, "POST", office.path(f"/samlinger/{office.slug_of(seeding.REGISTER_SLUG)}/pamelding"),
                          0.25))
        office_of[name] = office
    return endpoints, office_of


ENDPOINTS, OFFICE_OF = _endpoints()
#: endpoints measured with the session cookie of a visitor who has just registered (in the endpoint's office)
REGISTERED = {name for name, *_ in ENDPOINTS if name.endswith(", after registering")}
#: p99 latency of the app at most this many times the bare Flask app's
P99_LIMIT = 4.0
#: the reach page for ten years, read by an organiser (logged in): answered within this many ms (p99), read by
#: one organiser at a time (an office has a handful; 32 connections would measure the queue, not the page)
REACH_NAME = "reach page, ten years"
REACH_PATH = "/arrangor/rekkevidde/?periode=10"
REACH_LIMIT_MS = 200
REACH_CONNECTIONS = 1
EXPORT_MEMORY_LIMIT_MB = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def need_wrk() -> str:
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk  (then run make bench again)")
    return wrk


# --- databases ---------------------------------------------------------------------------------------

@contextmanager
def database(option: str):
    """Yield the URL of a new, empty database: SQLite in a temporary folder, or PostgreSQL on a server."""
    if option == "sqlite":
        with tempfile.TemporaryDirectory(prefix="samlinger-bench-") as folder:
            yield seeding.sqlite_url(folder)
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = make_url(option)
    name = f"samlinger_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- servers -------------------------------------------------------------------------------------------

class Server:
    """A gunicorn serving *target* on a free port of 127.0.0.1."""

    def __init__(self, name: str, target: str, chdir: Path, args, env: dict):
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(RESULTS / f"gunicorn-{name}.log", "w")  # noqa: SIM115 - closed in stop()
        command = [str(Path(sys.executable).parent / "gunicorn"), "--chdir", str(chdir), "--bind",
                   f"127.0.0.1:{self.port}", "--workers", str(args.workers), "--worker-class", args.worker_class,
                   "--threads", str(args.gunicorn_threads), "--backlog", "2048", "--no-control-socket", target]
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=self.log, stderr=self.log,
                                        start_new_session=True)

    def wait_ready(self, path: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"{self.name} did not start; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.url + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        sys.exit(f"{self.name} did not answer within 30 s; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- wrk -----------------------------------------------------------------------------------------------

def cpu_seconds(server: Server) -> float | None:
    """CPU time used so far by a gunicorn's master and workers (Linux /proc), or None elsewhere."""
    ticks = 0
    pids = {server.process.pid}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == server.process.pid or int(stat.parent.name) in pids:
            ticks += int(fields[11]) + int(fields[12])  # utime + stime
    return ticks / os.sysconf("SC_CLK_TCK") if ticks else None


def wrk(server: Server, path: str, args, script: str = "report.lua", script_args=(), cookie=None) -> dict:
    url = server.url + path
    command = [args.wrk, "--latency", "-t", str(args.threads), "-c", str(args.connections),
               "-d", f"{args.duration}s", "--timeout", "10s", "-s", str(BENCH / "wrk" / script), url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    if script_args:
        command += ["--", *script_args]
    cpu_before = cpu_seconds(server)
    output = subprocess.run(command, capture_output=True, text=True, check=True,
                            env={**os.environ, "BENCH_WRK_DIR": str(BENCH / "wrk")}).stdout
    cpu_after = cpu_seconds(server)
    line = next((ln for ln in output.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"wrk printed no figures for {url}:\n{output}")
    figures = json.loads(line[len("BENCH "):])
    statuses: dict[str, int] = {}
    for per_thread in figures["statuses"]:  # one object per wrk thread
        for code, count in per_thread.items():
            statuses[code] = statuses.get(code, 0) + count
    figures["statuses"] = statuses
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    # CPU per request of the server's processes: steadier than req/s on a machine that others share.
    figures["cpu_ms"] = ((cpu_after - cpu_before) * 1000 / max(figures["requests"], 1)
                         if cpu_before is not None and cpu_after is not None else None)
    return figures


def credentials(app_url: str, path: str, count: int) -> list[tuple[str, str]]:
    """CSRF tokens with the session cookie each belongs to, as a browser gets them from the form."""
    pairs = []
    for _ in range(count):
        with urllib.request.urlopen(app_url + path, timeout=10) as response:
            body = response.read().decode()
            cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', body)
        if token is None:
            sys.exit(f"no CSRF token in the form at {path}")
        pairs.append((html.unescape(token.group(1)), cookie))
    return pairs


def register_path(office, page: str = "pamelding") -> str:
    return office.path(f"/samlinger/{office.slug_of(seeding.REGISTER_SLUG)}/{page}")


def registered_cookie(app_url: str, office=seeding.OFFICES[0]) -> str:
    """The session cookie of a visitor who has just registered in *office*: the form's CSRF token and the
    receipt."""
    path = register_path(office)
    [(token, cookie)] = credentials(app_url, path, 1)
    body = urllib.parse.urlencode({
        "csrf_token": token, "name": "Bench Leser", "email": f"reader-{secrets.token_hex(4)}@bench.example.no",
        "organisation": office.organisation, "role": "", "phone": "", "needs": "", "consent": "y"})
    parts = urllib.parse.urlsplit(app_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": app_url + path})
        response = connection.getresponse()
        response.read()
        if response.status != 302 or not response.headers["Set-Cookie"]:
            sys.exit(f"registering for a reader's cookie answered {response.status}")
        return response.headers["Set-Cookie"].split(";", 1)[0]
    finally:
        connection.close()


def organiser_cookie(app_url: str) -> str:
    """The session cookie of the benchmark's organiser (seeding.ORGANISER), logged in through the form."""
    [(token, cookie)] = credentials(app_url, "/logg-inn", 1)
    email, password = seeding.ORGANISER
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    parts = urllib.parse.urlsplit(app_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("POST", "/logg-inn", body=body, headers={
            "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "Referer": app_url + "/logg-inn"})
        response = connection.getresponse()
        response.read()
        if response.status != 302 or not response.headers["Set-Cookie"]:
            sys.exit(f"logging in as the benchmark's organiser answered {response.status}")
        return response.headers["Set-Cookie"].split(";", 1)[0]
    finally:
        connection.close()


def measure_reach(args, app: "Server") -> dict:
    """The reach page over ten years (20 rounds, 20,000 registrations), judged by its own latency."""
    cookie = organiser_cookie(app.url)
    request = urllib.request.Request(app.url + REACH_PATH, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        if "<svg" not in response.read().decode():
            sys.exit("the reach page answered without its charts")
    settings = argparse.Namespace(**{**vars(args), "threads": 1, "connections": REACH_CONNECTIONS})
    wrk(app, REACH_PATH, argparse.Namespace(**{**vars(settings), "duration": max(args.warmup, 1)}), cookie=cookie)
    runs = [wrk(app, REACH_PATH, settings, cookie=cookie) for _ in range(args.rounds)]
    entry = {
        "name": REACH_NAME, "method": "GET", "path": REACH_PATH, "connections": REACH_CONNECTIONS,
        "limit_ms": REACH_LIMIT_MS,
        "app_rps": statistics.median(run["rps"] for run in runs),
        "app_p50_ms": statistics.median(run["p50_us"] for run in runs) / 1000,
        "app_p99_ms": statistics.median(run["p99_us"] for run in runs) / 1000,
        "app_cpu_ms": _median_or_none(run["cpu_ms"] for run in runs),
        "failed": sum(sum(v for k, v in run["statuses"].items() if not 200 <= int(k) < 300)
                      + sum(run["errors"][k] for k in ("connect", "read", "write", "timeout")) for run in runs),
    }
    entry["met"] = entry["app_p99_ms"] < REACH_LIMIT_MS and entry["failed"] == 0
    print(f"  {REACH_NAME}: {entry['app_rps']:.1f} req/s, p50 {entry['app_p50_ms']:.1f} ms, "
          f"p99 {entry['app_p99_ms']:.1f} ms (limit {REACH_LIMIT_MS} ms)", flush=True)
    return entry


def check_writes(database_url: str, redirects: int, register_slug: str | None = None) -> dict:
    """Count the benchmark's registrations (for the gathering *register_slug*, when given: one office's) and
    their outbox rows: every redirect must be one of each."""
    from sqlalchemy import create_engine, func, select

    from samlinger.gatherings.models import Gathering
    from samlinger.mail.models import OutboundEmail
    from samlinger.registration.models import Registration

    engine = create_engine(database_url)
    with engine.connect() as conn:
        ours = Registration.email.like("%@bench.example.no")
        if register_slug is not None:
            ours = ours & Registration.gathering_id.in_(select(Gathering.id).where(Gathering.slug == register_slug))
        registrations = conn.scalar(select(func.count()).where(ours))
        distinct = conn.scalar(select(func.count(func.distinct(Registration.email))).where(ours))
        outbox = conn.scalar(
            select(func.count()).select_from(OutboundEmail).join(Registration,
                                                                 OutboundEmail.registration_id == Registration.id)
            .where(ours)
        )
        without_mail = conn.scalar(
            select(func.count()).where(ours, ~select(OutboundEmail.id).where(
                OutboundEmail.registration_id == Registration.id).exists())
        )
    engine.dispose()
    # wrk stops counting at the end of the run; requests still in flight may have been written.
    return {"redirects": redirects, "registrations": registrations, "distinct_addresses": distinct,
            "outbox_rows": outbox, "registrations_without_mail": without_mail,
            "lost_writes": max(redirects - registrations, 0),
            "ok": registrations >= redirects and distinct == registrations and outbox == registrations
            and without_mail == 0}


# --- measuring -------------------------------------------------------------------------------------------

def measure(args, app: Server, baseline: Server) -> list[dict]:
    results = []
    for name, method, path, target in ENDPOINTS:
        if args.only and name not in args.only:
            continue
        rounds = []
        office = OFFICE_OF.get(name, seeding.OFFICES[0])
        cookie = registered_cookie(app.url, office) if name in REGISTERED else None
        if cookie:
            receipt = urllib.request.Request(app.url + register_path(office, "kvittering"),
                                             headers={"Cookie": cookie})
            with urllib.request.urlopen(receipt, timeout=10) as response:
                if "bench.example.no" not in response.read().decode():
                    sys.exit("the registered reader's cookie does not hold the receipt")
        if method == "POST":
            pairs = credentials(app.url, path, 16)
            pairs_file = RESULTS / "credentials.tsv"
            pairs_file.write_text("".join(f"{t}\t{c}\n" for t, c in pairs))
        if method == "GET" and args.warmup:
            # Steady state: every worker thread has built its kept page once before measuring.
            for server, warm_path in ((app, path), (baseline, "/")):
                wrk(server, warm_path, argparse.Namespace(**{**vars(args), "duration": args.warmup}),
                    cookie=cookie if server is app else None)
        for r in range(args.rounds):
            runs = {}
            order = ("baseline", "app") if r % 2 == 0 else ("app", "baseline")
            for who in order:
                if who == "baseline":
                    runs[who] = wrk(baseline, "/", args)
                elif method == "POST":
                    prefix = f"r{r}-{secrets.token_hex(3)}"
                    runs[who] = wrk(app, path, args, "register.lua",
                                    (path, prefix, str(pairs_file), office.organisation))
                else:
                    runs[who] = wrk(app, path, args, cookie=cookie)
            rounds.append(runs)
            a, b = runs["app"], runs["baseline"]
            print(f"  {name:<18} round {r + 1}: app {a['rps']:8.0f} req/s p99 {a['p99_us'] / 1000:6.1f} ms | "
                  f"bare Flask {b['rps']:8.0f} req/s p99 {b['p99_us'] / 1000:6.1f} ms", flush=True)
        ratio = statistics.median(run["app"]["rps"] / run["baseline"]["rps"] for run in rounds)
        p99_ratio = statistics.median(run["app"]["p99_us"] / max(run["baseline"]["p99_us"], 1) for run in rounds)
        entry = {
            "name": name, "method": method, "path": path, "target": target, "ratio": ratio,
            "p99_ratio": p99_ratio,
            "app_rps": statistics.median(run["app"]["rps"] for run in rounds),
            "baseline_rps": statistics.median(run["baseline"]["rps"] for run in rounds),
            "app_p50_ms": statistics.median(run["app"]["p50_us"] for run in rounds) / 1000,
            "app_p99_ms": statistics.median(run["app"]["p99_us"] for run in rounds) / 1000,
            "baseline_p50_ms": statistics.median(run["baseline"]["p50_us"] for run in rounds) / 1000,
            "baseline_p99_ms": statistics.median(run["baseline"]["p99_us"] for run in rounds) / 1000,
            "app_cpu_ms": _median_or_none(run["app"]["cpu_ms"] for run in rounds),
            "baseline_cpu_ms": _median_or_none(run["baseline"]["cpu_ms"] for run in rounds),
            "failed": sum(sum(v for k, v in run["app"]["statuses"].items() if not 200 <= int(k) < 400)
                          + sum(run["app"]["errors"][k] for k in ("connect", "read", "write", "timeout"))
                          for run in rounds),
            "rounds": rounds,
        }
        if method == "POST":
            entry["redirects"] = sum(run["app"]["statuses"].get("302", 0) for run in rounds)
            entry["register_slug"] = office.slug_of(seeding.REGISTER_SLUG)
        results.append(entry)
    return results


def _median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def judge(results: list[dict], database_url: str) -> None:
    """Check the writes (after the app has finished every request) and whether each target is met."""
    for entry in results:
        if "redirects" in entry:
            entry["writes"] = check_writes(database_url, entry["redirects"], entry.get("register_slug"))
        entry["met"] = None if entry["target"] is None else (
            entry["ratio"] >= entry["target"] and entry["p99_ratio"] <= P99_LIMIT
            and entry["failed"] == 0 and entry.get("writes", {"ok": True})["ok"])


def time_exports(database_url: str, seeded, folder: Path) -> list[dict]:
    figures = []
    for gathering_id, size in sorted(seeded.export_gatherings.items(), key=lambda item: item[1]):
        for fmt in ("csv", "xlsx"):
            output = subprocess.run(
                [sys.executable, str(BENCH / "exports.py"), "--database", database_url, "--gathering",
                 str(gathering_id), "--format", fmt, "--out", str(folder / f"export-{size}.{fmt}")],
                capture_output=True, text=True, check=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            result["size"] = size
            figures.append(result)
            print(f"  export {fmt:<4} {size:>6} rows: {result['seconds']:6.2f} s, "
                  f"{result['bytes'] / 1e6:5.2f} MB file, peak memory {result['peak_rss_mb']:.0f} MB "
                  f"(process {result['rss_before_mb']:.0f} MB before)", flush=True)
    return figures


def summary(results: list[dict], exports: list[dict], args, database_kind: str, reach: dict | None = None) -> str:
    lines = [
        f"samlinger vs bare Flask, {database_kind}, gunicorn -w {args.workers} -k {args.worker_class} "
        f"--threads {args.gunicorn_threads}, wrk -t{args.threads} -c{args.connections} -d{args.duration}s, "
        f"{args.rounds} rounds, {os.cpu_count()} CPUs, {len(seeding.OFFICES)} offices",
        "",
        "| endpoint | req/s | bare Flask req/s | ratio (target) | p50 ms | p99 ms | p99 vs bare Flask "
        "| CPU ms/req (bare Flask) | failed | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for e in results:
        cpu = (f"{e['app_cpu_ms']:.2f} ({e['baseline_cpu_ms']:.2f})"
               if e.get("app_cpu_ms") is not None and e.get("baseline_cpu_ms") is not None else "–")
        target = "not judged" if e["target"] is None else f"≥ {e['target']}"
        met = {None: "–", True: "yes", False: "NO"}[e["met"]]
        lines.append(
            f"| {e['name']} | {e['app_rps']:.0f} | {e['baseline_rps']:.0f} | {e['ratio']:.2f} ({target}) | "
            f"{e['app_p50_ms']:.1f} | {e['app_p99_ms']:.1f} | {e['p99_ratio']:.1f}× (≤ {P99_LIMIT:.0f}×) | "
            f"{cpu} | {e['failed']} | {met} |")
    for e in results:
        if "writes" in e:
            w = e["writes"]
            lines += ["", f"{e['name']}: {w['redirects']} redirects counted by wrk, {w['registrations']} "
                          f"registrations written ({w['distinct_addresses']} distinct addresses), {w['outbox_rows']} "
                          f"outbox rows, lost writes: {w['lost_writes']}, "
                          f"{'consistent' if w['ok'] else 'INCONSISTENT'}."]
    if reach:
        cpu = f"{reach['app_cpu_ms']:.1f}" if reach.get("app_cpu_ms") is not None else "–"
        lines += ["", f"| organiser page ({reach['connections']} connections) | req/s | p50 ms | p99 ms (limit) "
                      "| CPU ms/req | failed | met |", "|---|---:|---:|---:|---:|---:|---|",
                  f"| {reach['name']} | {reach['app_rps']:.1f} | {reach['app_p50_ms']:.1f} | "
                  f"{reach['app_p99_ms']:.1f} (< {reach['limit_ms']}) | {cpu} | {reach['failed']} | "
                  f"{'yes' if reach['met'] else 'NO'} |"]
    if exports:
        lines += ["", "| export | rows | seconds | file MB | peak memory MB |", "|---|---:|---:|---:|---:|"]
        for x in exports:
            lines.append(f"| {x['format'].upper()} | {x['rows']} | {x['seconds']:.2f} | {x['bytes'] / 1e6:.2f} | "
                         f"{x['peak_rss_mb']:.0f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite",
                        help="'sqlite' (a temporary file, WAL) or a PostgreSQL server URL to create a database on")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for the app and bare Flask")
    parser.add_argument("--worker-class", default="gthread", help="gunicorn worker class, for both")
    parser.add_argument("--gunicorn-threads", type=int, default=4, help="threads per gthread worker, for both")
    parser.add_argument("--rounds", type=int, default=2, help="alternating app / bare Flask runs per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unmeasured load per GET endpoint first")
    parser.add_argument("--gatherings", type=int, default=200)
    parser.add_argument("--registrations", type=int, default=20_000)
    parser.add_argument("--only", action="append", help="measure only this endpoint (repeatable)")
    parser.add_argument("--no-exports", action="store_true", help="skip timing the exports")
    args = parser.parse_args()
    args.wrk = need_wrk()
    RESULTS.mkdir(exist_ok=True)
    database_kind = "SQLite (WAL)" if args.database == "sqlite" else "PostgreSQL"

    with database(args.database) as url, tempfile.TemporaryDirectory(prefix="samlinger-bench-") as scratch:
        print(f"Seeding {database_kind}: {len(seeding.OFFICES)} offices, each {args.gatherings} gatherings, "
              f"{args.registrations} registrations ...",
              flush=True)
        started = time.perf_counter()
        seeded = seeding.prepare(url, gatherings=args.gatherings, registrations=args.registrations)
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        # The benchmark's organiser signs in with the password alone (organisers may, with "admins").
        env = {"DATABASE_URL": url, "RATELIMIT_ENABLED": "0", "SECRET_KEY": secrets.token_hex(16),
               "SAMLINGER_BASE_URL": "http://samlinger.bench", "MAIL_SERVER": "",
               "SECOND_FACTOR_REQUIRED_FOR": "admins", **seeding.FIRST_OFFICE_SETTINGS}
        app = Server("app", "app:app", ROOT, args, env)
        baseline = Server("baseline", "baseline:app", BENCH, args, {})
        try:
            app.wait_ready("/healthz")
            baseline.wait_ready("/")
            for server, path in ((app, "/"), (baseline, "/")):
                for _ in range(20):
                    urllib.request.urlopen(server.url + path, timeout=10).read()
            print("Measuring (app = samlinger, bare Flask = bench/baseline.py) ...", flush=True)
            results = measure(args, app, baseline)
            reach = None if args.only and REACH_NAME not in args.only else measure_reach(args, app)
        finally:
            app.stop()
            baseline.stop()
        judge(results, url)
        exports = []
        if not args.no_exports:
            print("Timing exports ...", flush=True)
            exports = time_exports(url, seeded, Path(scratch))

    text = summary(results, exports, args, database_kind, reach)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kind = "sqlite" if args.database == "sqlite" else "postgresql"
    (RESULTS / f"{stamp}-{kind}.json").write_text(json.dumps(
        {"when": stamp, "database": database_kind, "settings": {k: v for k, v in vars(args).items()},
         "endpoints": results, "reach": reach, "exports": exports}, indent=2, default=str))
    (RESULTS / f"latest-{kind}.md").write_text(text + "\n")
    print()
    print(text)
    print(f"\nFigures written to {RESULTS / f'{stamp}-{kind}.json'} and {RESULTS / f'latest-{kind}.md'}")
    memory_ok = all(x["peak_rss_mb"] < EXPORT_MEMORY_LIMIT_MB for x in exports if x["size"] >= 10_000)
    reach_ok = reach is None or reach["met"]
    return 0 if all(e["met"] is not False for e in results) and memory_ok and reach_ok else 1


if __name__ == "__main__":
    sys.exit(main())
