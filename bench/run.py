"""Tally's hot-path benchmark: click and postback throughput as ratios to a reference app R, measured in one run.

    make bench                              # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --duration 15 --workers 3 --threads 4
    .venv/bin/python bench/run.py --server gunicorn --worker-class gthread   # gunicorn instead of Granian
    .venv/bin/python bench/run.py --compare-servers   # Granian against gunicorn, interleaved rounds, print a table
    .venv/bin/python bench/run.py --sweep   # try worker models and counts on R and on clicks, print a table
    .venv/bin/python bench/run.py --ceiling  # R, R without Django (bench/reference/plain.py) and the click
    .venv/bin/python bench/run.py --growth 100000,10000000,50000000   # postbacks, reports and retention as clicks grow
    .venv/bin/python bench/run.py --quality  # + a click phase with targeting and a 1,000-entry blocklist on

What it does, on 127.0.0.1 only (ports 8110-8111, or BENCH_PORT and the next):
1. installs what it needs (gunicorn from the `bench` extra, wrk from Debian) when missing; Granian is a main
   dependency;
2. drops and creates the databases tally_bench and tally_bench_ref, migrates them, seeds offers and affiliates
   through Tally's own services;
3. starts R (bench/reference: no middleware, one table, one INSERT and a 302) under the server (--server: Granian
   by default, or gunicorn) and drives it with wrk; then Tally (production settings: DEBUG off, PostgreSQL,
   persistent connections) with clicks, then postbacks that convert the transaction IDs of the clicks just made,
   each with the same server, worker model and count;
4. stops each server once its access log is quiet (so every request in flight is answered) and checks nothing was
   lost: click rows stored = 302s the server answered; conversions stored = postbacks it accepted (200); one
   postback log row per postback (each server writes its access log to a file, one line per answer);
5. prints requests/s as ratios to R with p50/p99 latency and the server's CPU per request, against the targets in
   TARGETS below;
6. SIGKILLs a Tally worker halfway through a burst of clicks from bench/clicker.py, which records the transaction
   ID of every 302 it received: each must have its row;
7. the embedded default: R and Tally each on a SQLite file (Tally with its own SQLite settings, as `make run`),
   clicks for --rounds rounds, as ratios to R, with rows stored = 302s answered.
"""

import argparse
import contextlib
import fcntl
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench/clicker.py as bench.clicker when this file runs as a script
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
PG = "postgres://postgres@127.0.0.1:5432/"
# BENCH_NAME and BENCH_PORT let two benchmarks run side by side (their own databases and ports).
_NAME = os.environ.get("BENCH_NAME", "bench")
TALLY_DB, REF_DB = f"tally_{_NAME}", f"tally_{_NAME}_ref"
TALLY_PORT = int(os.environ.get("BENCH_PORT", "8110"))
REF_PORT = TALLY_PORT + 1
CONNECTIONS, WRK_THREADS = 16, 2
TARGETS = {"click": 1.5, "postback": 1.0}
# ... and each phase's p99 at most R's p99 of the same round (the median of the rounds' ratios).
P99_TARGET_X_R = 1.0
# --quality: the click with targeting and a 1,000-entry blocklist on may be at most this much slower (README).
QUALITY_MAX_DROP = 0.05


# --- tools and databases --------------------------------------------------------------------------------------


def hold_bench_lock():
    """One benchmark per BENCH_NAME at a time: a second one would drop and recreate the databases under the first
    (a run did, and the first one's servers then failed to stop). Returns the open lock file: keep it."""
    lock = (Path(tempfile.gettempdir()) / f"tally-{_NAME}.lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise SystemExit(
            f"a benchmark named {_NAME!r} is running; BENCH_NAME and BENCH_PORT run another beside it"
        ) from None
    return lock


def ensure_tools():
    if not (BIN / "gunicorn").exists():
        print("installing gunicorn (pip install -e .[bench]) ...", flush=True)
        subprocess.run([str(BIN / "pip"), "install", "--quiet", "-e", ".[bench]"], cwd=ROOT, check=True)
    if shutil.which("wrk") is None:
        print("installing wrk (apt-get install wrk) ...", flush=True)
        subprocess.run(["apt-get", "update", "-qq"], check=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)


def psql(database, query, *, fetch=False):
    import psycopg

    with psycopg.connect(PG + database, autocommit=True) as conn:
        rows = conn.execute(query).fetchall() if fetch else conn.execute(query)
        return rows if fetch else None


def scalar(database, query):
    return psql(database, query, fetch=True)[0][0]


def recreate_database(name):
    psql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql("postgres", f'CREATE DATABASE "{name}"')


# Tally's Prometheus counters as in production with several worker processes (multiprocess mode, files shared
# through this folder): made empty once per benchmark run, so the click's cost includes counting.
METRICS_DIR = tempfile.mkdtemp(prefix="tally-bench-metrics-")


def tally_env(**extra):
    env = dict(os.environ)
    env.update(
        DATABASE_URL=PG + TALLY_DB,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY="bench-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_CONN_MAX_AGE="600",
        # wrk sends each click's visitor address as X-Forwarded-For, as a proxy in front of Tally would.
        TALLY_TRUSTED_PROXY_COUNT="1",
        TALLY_VAR_DIR=str(Path(tempfile.gettempdir()) / "tally-bench-var"),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/14",
        # wrk is one client sending far past the per-IP limits: still counted on every request (their cost is
        # measured), but set high enough that no request of the run is refused.
        TALLY_CLICK_RATE_LIMIT="100000000",
        TALLY_POSTBACK_RATE_LIMIT="100000000",
        PROMETHEUS_MULTIPROC_DIR=METRICS_DIR,
    )
    env.update(extra)
    return env


def ref_env():
    env = dict(os.environ)
    env.update(DATABASE_URL=PG + REF_DB, DJANGO_SETTINGS_MODULE="bench.reference.settings")
    return env


def prepare():
    for name in (TALLY_DB, REF_DB):
        recreate_database(name)
    subprocess.run([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=tally_env(), check=True)
    seeded = subprocess.run(
        [str(PYTHON), "bench/seed.py"], cwd=ROOT, env=tally_env(), check=True, capture_output=True, text=True
    )
    ids = json.loads(seeded.stdout.strip().splitlines()[-1])
    subprocess.run([str(PYTHON), "-m", "django", "migrate", "--run-syncdb", "-v0"], cwd=ROOT, env=ref_env(), check=True)
    return ids


# --- servers and load -----------------------------------------------------------------------------------------


class Server:
    """Granian or gunicorn on 127.0.0.1:port; leaving the block stops it gracefully, so every request it took is
    answered. `workers` is (kind, processes, threads): kind "granian" (threads: its blocking threads, those that run
    the WSGI app) or gunicorn's "sync"/"gthread". Either writes one access-log line per answer (status first) to
    `access_log`, which the "nothing lost" checks count."""

    def __init__(self, app, port, env, workers, log_dir):
        self.app, self.port, self.env, self.workers = app, port, env, workers
        self.access_log = Path(log_dir) / f"access-{port}.log"
        self.error_log = Path(log_dir) / f"error-{port}.log"
        self.log_dir = Path(log_dir)
        self.process = None

    def command(self):
        kind, count, threads = self.workers
        if kind == "granian":
            # Granian's access log goes through Python's logging in each worker: here to a file, status first.
            config = self.log_dir / f"granian-logging-{self.port}.json"
            config.write_text(json.dumps(granian_log_config(self.access_log)))
            command = [str(BIN / "granian"), "--interface", "wsgi", self.app, "--host", "127.0.0.1"]
            command += ["--port", str(self.port), "--workers", str(count), "--blocking-threads", str(threads)]
            command += ["--backlog", "2048", "--no-ws", "--http", "1", "--respawn-failed-workers"]
            command += ["--respawn-interval", "0.5", "--log-config", str(config), "--access-log"]
            return [*command, "--access-log-fmt", "%(status)d %(method)s %(path)s"]
        command = [str(BIN / "gunicorn"), self.app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(count)]
        # --preload: the app is imported once in the master and forked, so no worker spends the first seconds of a
        # run importing Django (as in production, where a restart must not stall traffic).
        command += ["--worker-class", kind, "--worker-tmp-dir", "/dev/shm", "--backlog", "2048", "--preload"]
        if kind == "gthread":
            command += ["--threads", str(threads), "--keep-alive", "5"]
        command += ["--access-logfile", str(self.access_log), "--access-logformat", "%(s)s %(m)s %(U)s"]
        return [*command, "--error-logfile", str(self.error_log)]

    def __enter__(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            raise RuntimeError(f"something already listens on 127.0.0.1:{self.port}; stop it first")
        except OSError:
            pass
        self.access_log.unlink(missing_ok=True)
        # Django logs each 4xx as a warning on stderr: keep it with the server's own log, out of the report.
        with self.error_log.open("a") as errors:
            self.process = subprocess.Popen(self.command(), cwd=ROOT, env=self.env, stdout=errors, stderr=errors)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            # An HTTP answer, not just an open port (Granian listens before its workers have imported the app).
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/bench-ready")
                connection.getresponse().read()
                connection.close()
                return self
            except (OSError, http.client.HTTPException):
                time.sleep(0.2)
        raise RuntimeError(f"the server did not start on port {self.port}; see {self.error_log}")

    def __exit__(self, *exc):
        # Requests wrk sent just before it stopped are still running: let them finish (the access log stops
        # growing) before the signal, or a worker stopping mid-request would store a row it never logged.
        size, quiet_since = -1, time.monotonic()
        while time.monotonic() - quiet_since < 1.0:
            if self.log_offset() != size:
                size, quiet_since = self.log_offset(), time.monotonic()
            time.sleep(0.1)
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def worker_pids(self):
        """The processes under the server's own (its workers), from /proc."""
        found, queue = [], [self.process.pid]
        while queue:
            pid = queue.pop()
            try:
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            except OSError:
                continue
            found += [int(child) for child in children]
            queue += [int(child) for child in children]
        return found

    def cpu_seconds(self):
        """User + system CPU of the server and its workers so far (from /proc; workers that died are not in it)."""
        total = 0
        for pid in [self.process.pid, *self.worker_pids()]:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def log_offset(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def answered_since(self, offset):
        """HTTP statuses the server wrote to its access log after `offset` (read once it has stopped)."""
        with self.access_log.open("rb") as log:
            log.seek(offset)
            return Counter(int(line.split()[0]) for line in log if line.strip())


def granian_log_config(access_log):
    """Granian's logging (its --log-config replaces these keys of its default): the access lines to a file."""
    return {
        "formatters": {
            "generic": {"()": "logging.Formatter", "fmt": "[%(levelname)s] %(message)s"},
            "access": {"()": "logging.Formatter", "fmt": "%(message)s"},
        },
        "handlers": {
            "console": {"formatter": "generic", "class": "logging.StreamHandler", "stream": "ext://sys.stderr"},
            "access": {"formatter": "access", "class": "logging.FileHandler", "filename": str(access_log)},
        },
        "loggers": {
            "_granian": {"handlers": ["console"], "level": "INFO", "propagate": False},
            "granian.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        },
    }


def wrk(url, duration, lua_args):
    command = ["wrk", f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--timeout", "5s"]
    command += ["-s", str(ROOT / "bench" / "load.lua"), url, "--", *lua_args]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"wrk failed: {run.stdout}{run.stderr}")
    output = run.stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    result["statuses"] = {int(k): v for k, v in result["statuses"].items()}
    return result


def run_phase(server, path, lua_args, duration, count_rows, warmup=3, warmup_args=None):
    """Warm up, then measure for `duration` s; returns wrk's result with the server's answers and rows stored."""
    url = f"http://127.0.0.1:{server.port}{path}"
    with server:
        wrk(url, warmup, warmup_args or lua_args)
        # Write out what earlier phases left in PostgreSQL's buffers now, so no phase pays for another's checkpoint
        # (the first R phase otherwise ran at half speed, flushing what migrate and seed wrote).
        psql("postgres", "CHECKPOINT")
        time.sleep(0.5)
        offset, before, cpu = server.log_offset(), count_rows(), server.cpu_seconds()
        result = wrk(url, duration, lua_args)
        result["cpu_us"] = (server.cpu_seconds() - cpu) / max(result["requests"], 1) * 1e6
    result["answered"] = server.answered_since(offset)
    result["stored"] = {name: after - before[name] for name, after in count_rows().items()}
    return result


def click_args(ids, path="/click", browsers=False):
    args = ["click", path, ",".join(map(str, ids["offers"])), ",".join(map(str, ids["affiliates"]))]
    return [*args, "browsers"] if browsers else args


# --- traffic quality (--quality): targeting on every offer and a 1,000-entry blocklist ------------------------


def quality_entries():
    """1,000 network-wide entries, none matching the benchmark's clicks (8.0.0.0/15, aff_sub t<n>n<m>, source
    bench): networks of several prefix lengths in IPv4 and IPv6, addresses, aff_sub and source values."""
    import ipaddress

    entries = []
    for n in range(400):  # IPv4 networks in 100.64.0.0/10, /16 to /28
        prefix = (16, 20, 24, 28)[n % 4]
        base = int(ipaddress.ip_address("100.64.0.0")) + n * (1 << 16)
        entries.append(("cidr", str(ipaddress.ip_network((base >> (32 - prefix) << (32 - prefix), prefix)))))
    for n in range(200):  # IPv6 networks in 2001:db8::/32, /40 to /64
        prefix = (40, 48, 56, 64)[n % 4]
        base = int(ipaddress.ip_address("2001:db8::")) + (n << 88)
        entries.append(("cidr", str(ipaddress.ip_network((base >> (128 - prefix) << (128 - prefix), prefix)))))
    entries += [("ip", f"198.18.{n // 250}.{n % 250 + 1}") for n in range(200)]
    entries += [("aff_sub", f"blocked-sub-{n}") for n in range(100)]
    entries += [("source", f"blocked-source-{n}") for n in range(100)]
    return entries


def quality_set(on):
    """Turn targeting (countries, devices, OSes on every offer) and the blocklist on or off, in the database; each
    phase starts its server afresh, so its caches load what is set here."""
    import psycopg

    targeting = (
        (
            '["US", "CA", "GB"]',
            '["CN", "RU"]',
            '["desktop", "mobile"]',
            '["windows", "macos", "ios", "android", "linux"]',
        )
        if on
        else ("[]", "[]", "[]", "[]")
    )
    with psycopg.connect(PG + TALLY_DB, autocommit=True) as conn:
        conn.execute(
            "UPDATE offers_offer SET allowed_countries = %s, blocked_countries = %s, allowed_devices = %s,"
            " allowed_os = %s",
            targeting,
        )
        conn.execute("DELETE FROM quality_blockentry")
        if on:
            with conn.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO quality_blockentry (kind, value, note, created_at, updated_at)"
                    " VALUES (%s, %s, 'bench', now(), now())",
                    quality_entries(),
                )


def write_transaction_ids(path, limit, where=""):
    """Unconverted transaction IDs of real clicks: every fourth to `path`.warmup (for the warm-up), the rest to
    `path` (for the measured run), so the measured postbacks never repeat one the warm-up converted."""
    rows = psql(
        TALLY_DB,
        "SELECT c.transaction_id FROM tracking_click c WHERE NOT EXISTS "
        f"(SELECT 1 FROM conversions_conversion v WHERE v.click_id = c.id) {where} ORDER BY c.id LIMIT {limit}",
        fetch=True,
    )
    Path(f"{path}.warmup").write_text("".join(row[0] + "\n" for n, row in enumerate(rows) if n % 4 == 3))
    Path(path).write_text("".join(row[0] + "\n" for n, row in enumerate(rows) if n % 4 != 3))
    return len(rows) - len(rows) // 4


def postback_args(tids, warmup=False):
    """The postbacks carry the bench advertiser's security token, as every advertiser's must."""
    token = scalar(TALLY_DB, "SELECT coalesce(max(security_token), '') FROM partners_advertiser")
    return ["postback", "/postback", f"{tids}.warmup" if warmup else str(tids), str(WRK_THREADS), token]


def ref_rows():
    return {"rows": scalar(REF_DB, "SELECT count(*) FROM reference_hit")}


def click_rows():
    return {"rows": scalar(TALLY_DB, "SELECT count(*) FROM tracking_click")}


def postback_rows():
    return {
        "conversions": scalar(TALLY_DB, "SELECT count(*) FROM conversions_conversion"),
        "logs": scalar(TALLY_DB, "SELECT count(*) FROM conversions_postbacklog"),
    }


# --- a worker killed mid-burst, and the embedded default (SQLite) ---------------------------------------------


def kill_phase(tally, ids, seconds):
    """Clicks from bench/clicker.py (it records each 302's transaction ID); halfway, one worker is SIGKILLed. Every
    302 the client received must have its row: a click answered before it was stored would be missing here."""
    import psycopg

    from bench import clicker

    killed = []

    def kill():
        pid = tally.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    with tally:
        before = click_rows()["rows"]
        received, statuses, failed = clicker.burst(
            tally.port, ids["offers"], ids["affiliates"], seconds=seconds, during=kill
        )
        respawned = tally.worker_pids()
    with psycopg.connect(PG + TALLY_DB) as conn:
        found = conn.execute(
            "SELECT count(*) FROM tracking_click WHERE transaction_id = ANY(%s)", (received,)
        ).fetchone()[0]
    return {
        "received": len(received),
        "distinct": len(set(received)),
        "found": found,
        "stored": click_rows()["rows"] - before,
        "statuses": dict(statuses),
        "failed": failed,
        "killed": killed,
        "workers_after": len(respawned),
    }


def sqlite_env(folder):
    """Tally on its embedded default: SQLite with its own settings (WAL, IMMEDIATE transactions, a connection per
    request), as `make run` has it; the rest as tally_env (DEBUG off, limits out of wrk's way)."""
    return tally_env(DATABASE_URL=f"sqlite:///{folder}/tally.sqlite3", TALLY_VAR_DIR=str(folder))


def sqlite_prepare(folder):
    subprocess.run(
        [str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=sqlite_env(folder), check=True
    )
    seeded = subprocess.run(
        [str(PYTHON), "bench/seed.py"], cwd=ROOT, env=sqlite_env(folder), check=True, capture_output=True, text=True
    )
    ref = {**ref_env(), "DATABASE_URL": f"sqlite:///{folder}/ref.sqlite3"}
    subprocess.run([str(PYTHON), "-m", "django", "migrate", "--run-syncdb", "-v0"], cwd=ROOT, env=ref, check=True)
    return json.loads(seeded.stdout.strip().splitlines()[-1]), ref


def sqlite_count(path, table):
    import sqlite3

    with contextlib.closing(sqlite3.connect(path, timeout=20)) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def sqlite_rounds(args, workers, log_dir):
    """R and Tally's clicks, both on SQLite files, interleaved for --rounds rounds."""
    folder = Path(tempfile.mkdtemp(prefix="tally-bench-sqlite-"))
    ids, ref_environment = sqlite_prepare(folder)
    ref = Server("bench.reference.wsgi:application", REF_PORT, ref_environment, workers, log_dir)
    tally = Server("config.wsgi:application", TALLY_PORT, sqlite_env(folder), workers, log_dir)

    def ref_count():
        return {"rows": sqlite_count(folder / "ref.sqlite3", "reference_hit")}

    def click_count():
        return {"rows": sqlite_count(folder / "tally.sqlite3", "tracking_click")}

    run_phase(ref, "/click", click_args(ids), args.duration, ref_count)  # not measured, as on PostgreSQL
    rounds = []
    for number in range(1, args.rounds + 1):
        r = run_phase(ref, "/click", click_args(ids), args.duration, ref_count)
        click = run_phase(tally, "/click", click_args(ids), args.duration, click_count)
        rounds.append({"R": r, "click": click})
        print(
            f"SQLite round {number}: R {r['rps']:.0f}/s, "
            f"click {click['rps']:.0f}/s ({click['rps'] / r['rps']:.2f} x R)",
            flush=True,
        )
    shutil.rmtree(folder, ignore_errors=True)
    return rounds


def describe(workers):
    kind, count, threads = workers
    if kind == "granian":
        return f"Granian WSGI x{count} ({threads} blocking threads each)"
    return f"gunicorn {kind} x{count}" + (f" ({threads} threads each)" if kind == "gthread" else "")


# --- the main run ---------------------------------------------------------------------------------------------


def fmt_ms(us):
    return f"{us / 1000:.2f} ms"


def median_line(label, runs, reference, *, width):
    """A table line of --compare-servers and --ceiling: the medians of the runs' req/s, p99 and CPU per request,
    and the median of each round's req/s as a ratio to the reference's run of the same round."""
    median = median_result(runs)
    ratio = statistics.median(one["rps"] / r["rps"] for one, r in zip(runs, reference, strict=True))
    return (
        f"{label:<{width}}{median['rps']:>9.0f}{fmt_ms(median['p99_us']):>10}{median['cpu_us']:>7.0f} us{ratio:>7.2f}"
    )


def median_result(results):
    """One line per phase: the median round by throughput, latencies taken from the medians of every round."""
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p50_us": statistics.median(r["p50_us"] for r in results),
        "p99_us": statistics.median(r["p99_us"] for r in results),
        "cpu_us": statistics.median(r["cpu_us"] for r in results),
    }


def main_run(args, workers, log_dir):
    ids = prepare()
    ref = Server("bench.reference.wsgi:application", REF_PORT, ref_env(), workers, log_dir)
    tally = Server("config.wsgi:application", TALLY_PORT, tally_env(), workers, log_dir)
    tids = Path(log_dir) / "transaction_ids.txt"

    # Not measured: on fresh databases the first R phase ran at about half speed in every run (autovacuum and
    # statistics on the new tables, cold caches), which made round 1 an outlier.
    run_phase(ref, "/click", click_args(ids), args.duration, ref_rows)
    rounds = []
    # --quality: every click comes from a browser at a US address, so the two click phases differ only in
    # targeting and the blocklist being on.
    browsers = args.quality
    for number in range(1, args.rounds + 1):
        r = run_phase(ref, "/click", click_args(ids, browsers=browsers), args.duration, ref_rows)
        click = run_phase(tally, "/click", click_args(ids, browsers=browsers), args.duration, click_rows)
        if args.quality:
            quality_set(True)
            quality = run_phase(tally, "/click", click_args(ids, browsers=True), args.duration, click_rows)
            quality_set(False)
        with tally:  # more real clicks, not measured, so postbacks never run out of unconverted transaction IDs
            wrk(f"http://127.0.0.1:{TALLY_PORT}/click", args.duration + 2, click_args(ids))
        available = write_transaction_ids(tids, 200000)
        postback = run_phase(
            tally, "/postback", postback_args(tids), args.duration, postback_rows, warmup_args=postback_args(tids, True)
        )
        postback["available"] = available
        rounds.append({"R": r, "click": click, "postback": postback})
        if args.quality:
            rounds[-1]["quality"] = quality
        print(
            f"round {number}: R {r['rps']:.0f}/s, click {click['rps']:.0f}/s ({click['rps'] / r['rps']:.2f} x R), "
            + (f"click+quality {quality['rps']:.0f}/s ({quality['rps'] / r['rps']:.2f} x R), " if args.quality else "")
            + f"postback {postback['rps']:.0f}/s ({postback['rps'] / r['rps']:.2f} x R)",
            flush=True,
        )

    model = describe(workers)
    print()
    print(f"Tally hot-path benchmark: {os.cpu_count()} cores, wrk {WRK_THREADS} threads x {CONNECTIONS} connections,")
    print(f"{args.rounds} rounds of R, click, postback ({args.duration} s each after a 3 s warm-up; medians shown),")
    print(f"{model} for both apps, PostgreSQL on 127.0.0.1")
    print(f"machine load (1-min average) at start {LOAD_AT_START:.1f}, at end {os.getloadavg()[0]:.1f}")
    print()
    # CPU/req: the server's processes' CPU (user + system) over the measured run, per request wrk counted.
    header = f"{'':<34}{'req/s':>9}{'x R':>7}{'p50':>10}{'p99':>10}{'CPU/req':>10}   target"
    print(header)
    print("-" * len(header))
    phases = ("R", "click", "quality", "postback") if args.quality else ("R", "click", "postback")
    medians = {name: median_result([one[name] for one in rounds]) for name in phases}
    # Each round's ratio is taken against the R measured in that round; the median of those is shown.
    ratios = {name: statistics.median(one[name]["rps"] / one["R"]["rps"] for one in rounds) for name in phases}
    met = True
    for name, label in (
        ("R", "R: 1 INSERT + 302, no middleware"),
        ("click", "click  GET /click"),
        ("quality", "click, targeting + 1,000 blocked"),
        ("postback", "postback  GET /postback"),
    ):
        if name not in phases:
            continue
        result, ratio = medians[name], ratios[name]
        verdict = ""
        if name == "quality":
            # Each round's click+quality against its own click phase; README, Traffic quality: at most 5 % lower.
            change = statistics.median(one["quality"]["rps"] / one["click"]["rps"] - 1 for one in rounds)
            ok = change >= -QUALITY_MAX_DROP
            met &= ok
            verdict = f"{change:+.1%} vs click (>= -{QUALITY_MAX_DROP:.0%} {'met' if ok else 'MISSED'})"
        elif name in TARGETS:
            ratio_ok = ratio >= TARGETS[name]
            p99_ratio = statistics.median(one[name]["p99_us"] / one["R"]["p99_us"] for one in rounds)
            p99_ok = p99_ratio <= P99_TARGET_X_R
            met &= ratio_ok and p99_ok
            verdict = (
                f"x{TARGETS[name]:.1f} {'met' if ratio_ok else 'MISSED'}, "
                f"p99 {p99_ratio:.2f} x R's {'met' if p99_ok else 'MISSED'}"
            )
        print(
            f"{label:<34}{result['rps']:>9.0f}{ratio:>7.2f}{fmt_ms(result['p50_us']):>10}"
            f"{fmt_ms(result['p99_us']):>10}{result['cpu_us']:>7.0f} us   {verdict}"
        )
    print()
    print("Nothing lost? (counted after each server stopped, so every request it took was answered; all rounds)")
    total = {name: {"answered": Counter(), "stored": Counter(), "seen": 0, "errors": 0} for name in rounds[0]}
    for one in rounds:
        for name, result in one.items():
            total[name]["answered"].update(result["answered"])
            total[name]["stored"].update(result["stored"])
            total[name]["seen"] += sum(result["statuses"].values())
            total[name]["errors"] += result["socket_errors"]
    r, click, postback = total["R"], total["click"], total["postback"]
    checks = [
        ("R: rows stored = 302s answered", r["stored"]["rows"], r["answered"][302]),
        ("click: rows stored = 302s answered", click["stored"]["rows"], click["answered"][302]),
        *(
            [
                (
                    "click+quality: rows stored = 302s",
                    total["quality"]["stored"]["rows"],
                    total["quality"]["answered"][302],
                )
            ]
            if "quality" in total
            else []
        ),
        ("postback: conversions = 200s answered", postback["stored"]["conversions"], postback["answered"][200]),
        ("postback: log rows = postbacks answered", postback["stored"]["logs"], sum(postback["answered"].values())),
    ]
    rows_ok = True
    for label, stored, answered in checks:
        ok = stored == answered
        rows_ok &= ok
        print(f"  {label:<42} {stored:>8} = {answered:<8} {'ok' if ok else 'LOST OR EXTRA ROWS'}")
    for name, result in total.items():
        others = {k: v for k, v in sorted(result["answered"].items()) if k not in (200, 302)}
        print(
            f"  {name}: server answered {dict(sorted(result['answered'].items()))}; wrk read {result['seen']} "
            f"(the rest were in flight when it stopped), socket errors {result['errors']}"
            + (f"; NOT 302/200: {others}" if others else "")
        )
    if postback["answered"][409]:
        print("  postback 409s: the unconverted transaction IDs ran out and wrapped around as duplicates")

    print()
    kill = kill_phase(tally, ids, args.kill_seconds)
    ok = kill["found"] == kill["distinct"] == kill["received"]
    rows_ok &= ok
    print(f"A worker SIGKILLed halfway through {args.kill_seconds} s of clicks (bench/clicker.py, 8 clients):")
    print(
        f"  302s received {kill['received']}, rows found for them {kill['found']} {'ok' if ok else 'LOST'}; "
        f"rows stored {kill['stored']} (a click stored but not answered is no loss); answers {kill['statuses']}, "
        f"failed requests {kill['failed']}; killed pid {kill['killed']}, workers after {kill['workers_after']}"
    )

    print()
    sqlite = sqlite_rounds(args, workers, log_dir)
    print(f"Embedded default: R and Tally on SQLite, clicks only, {args.rounds} rounds (medians)")
    for name in ("R", "click"):
        result = median_result([one[name] for one in sqlite])
        ratio = statistics.median(one[name]["rps"] / one["R"]["rps"] for one in sqlite)
        print(
            f"  {name + ' (SQLite)':<32}{result['rps']:>9.0f}{ratio:>7.2f}{fmt_ms(result['p50_us']):>10}"
            f"{fmt_ms(result['p99_us']):>10}{result['cpu_us']:>7.0f} us"
        )
    for name in ("R", "click"):
        stored = sum(one[name]["stored"]["rows"] for one in sqlite)
        answered = sum(one[name]["answered"][302] for one in sqlite)
        others = sum(one[name]["answered"].total() for one in sqlite) - answered
        ok = stored == answered
        rows_ok &= ok
        label = f"{name} on SQLite: rows stored = 302s answered"
        print(
            f"  {label:<42} {stored:>8} = {answered:<8} {'ok' if ok else 'LOST OR EXTRA ROWS'}"
            + (f"; {others} answers not 302" if others else "")
        )

    print()
    print(f"targets: {'all met' if met else 'NOT all met'}; rows: {'none lost' if rows_ok else 'MISMATCH'}")
    return rows_ok


# --- Granian against gunicorn (--compare-servers) ----------------------------------------------------------------


def compare_servers(args, log_dir):
    """R, click and postback under each server in turn, interleaved for --rounds rounds, the same worker count and
    threads: requests/s, p99 and the server's CPU per request (the steadier figure on a shared machine)."""
    ids = prepare()
    servers = {
        "gunicorn": (args.worker_class, args.workers, args.threads),
        "granian": ("granian", args.workers, args.threads),
    }
    tids = Path(log_dir) / "transaction_ids.txt"
    results = {(server, phase): [] for server in servers for phase in ("R", "click", "postback")}
    for number in range(1, args.rounds + 1):
        for server, workers in servers.items():
            ref = Server("bench.reference.wsgi:application", REF_PORT, ref_env(), workers, log_dir)
            tally = Server("config.wsgi:application", TALLY_PORT, tally_env(), workers, log_dir)
            results[server, "R"].append(run_phase(ref, "/click", click_args(ids), args.duration, ref_rows))
            results[server, "click"].append(run_phase(tally, "/click", click_args(ids), args.duration, click_rows))
            write_transaction_ids(tids, 200000)
            postback = run_phase(
                tally, "/postback", postback_args(tids), args.duration, postback_rows,
                warmup_args=postback_args(tids, True),
            )  # fmt: skip
            results[server, "postback"].append(postback)
            print(
                f"round {number} {server}: "
                + ", ".join(
                    f"{phase} {results[server, phase][-1]['rps']:.0f}/s" for phase in ("R", "click", "postback")
                ),
                flush=True,
            )
    print(f"\n{'':<22}{'req/s':>9}{'p99':>10}{'CPU/req':>10}{'x R':>7}   (medians of {args.rounds} rounds)")
    for server in servers:
        for phase in ("R", "click", "postback"):
            print(median_line(f"{server} {phase}", results[server, phase], results[server, "R"], width=22))
    print(f"({describe(servers['gunicorn'])} against {describe(servers['granian'])})")


def ceiling(args, workers, log_dir):
    """R, R without Django (bench/reference/plain.py: the same row and 302 from a plain WSGI function) and Tally's
    click, interleaved for --rounds rounds under the same server: how much of R is Django's machinery, and so how
    far a click endpoint outside it could go (README, Performance)."""
    ids = prepare()
    apps = {
        "R": Server("bench.reference.wsgi:application", REF_PORT, ref_env(), workers, log_dir),
        "R without Django": Server("bench.reference.plain:application", REF_PORT, ref_env(), workers, log_dir),
        "click": Server("config.wsgi:application", TALLY_PORT, tally_env(), workers, log_dir),
    }
    counts = {"R": ref_rows, "R without Django": ref_rows, "click": click_rows}
    results = {name: [] for name in apps}
    for number in range(1, args.rounds + 1):
        for name, server in apps.items():
            result = run_phase(server, "/click", click_args(ids), args.duration, counts[name])
            stored, answered = result["stored"]["rows"], result["answered"].get(302, 0)
            if stored != answered:
                raise SystemExit(f"{name}: {stored} rows stored, {answered} 302s answered")
            results[name].append(result)
        print(f"round {number}: " + ", ".join(f"{n} {r[-1]['rps']:.0f}/s" for n, r in results.items()), flush=True)
    print(
        f"\n{'':<20}{'req/s':>9}{'p99':>10}{'CPU/req':>10}{'x R':>7}   ({describe(workers)}, medians of {args.rounds})"
    )
    for name, runs in results.items():
        print(median_line(name, runs, results["R"], width=20))
    print("rows stored = 302s answered in every phase")


# --- worker sweep ---------------------------------------------------------------------------------------------

SWEEP = [("sync", 2, 1), ("sync", 3, 1), ("sync", 4, 1), ("sync", 6, 1), ("gthread", 2, 4), ("gthread", 3, 4)]
SWEEP += [("gthread", 4, 2), ("gthread", 4, 4)]


def sweep(args, log_dir):
    ids = prepare()
    print(f"\n{'worker model':<26}{'R req/s':>9}{'R p99':>10}{'click req/s':>13}{'click p99':>11}{'x R':>7}")
    for workers in SWEEP:
        ref = Server("bench.reference.wsgi:application", REF_PORT, ref_env(), workers, log_dir)
        tally = Server("config.wsgi:application", TALLY_PORT, tally_env(), workers, log_dir)
        r = run_phase(ref, "/click", click_args(ids), args.duration, ref_rows)
        click = run_phase(tally, "/click", click_args(ids), args.duration, click_rows)
        kind, count, threads = workers
        label = f"{kind} x{count}" + (f" ({threads} threads)" if kind == "gthread" else "")
        print(
            f"{label:<26}{r['rps']:>9.0f}{fmt_ms(r['p99_us']):>10}{click['rps']:>13.0f}"
            f"{fmt_ms(click['p99_us']):>11}{click['rps'] / r['rps']:>7.2f}",
            flush=True,
        )


# --- growth: postback latency and report reads as clicks grow, then one retention run ---------------------------

# Clicks are spread over the retention window (TALLY_CLICK_RETENTION_DAYS, 30 by default) and GROWTH_EXTRA_DAYS
# before it, so that the retention run at the end has a whole day partition to drop.
GROWTH_RETENTION_DAYS, GROWTH_EXTRA_DAYS = 30, 2
# Disk a click takes with its indexes, rounded up (docs/capacity.md measures it), and room left for everything else.
GROWTH_BYTES_PER_CLICK, GROWTH_DISK_SPARE = 700, 10 * 2**30
GROWTH_CHUNK = 2_000_000


def growth_tool(*args):
    """One step of bench/growth_tools.py in Tally's environment; its JSON line."""
    run = subprocess.run(
        [str(PYTHON), "bench/growth_tools.py", *map(str, args)],
        cwd=ROOT,
        env=tally_env(),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise RuntimeError(f"growth_tools {args} failed: {run.stderr.strip()[-2000:]}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def grow_clicks(target, ids):
    """Add synthetic clicks until tracking_click holds `target` rows: INSERT ... SELECT generate_series in the
    database, in time order within each step (each day partition's indexes are written one after the other), spread
    over the window, each with a time-ordered transaction ID carrying its created_at (tracking.transaction_ids:
    48 bits of milliseconds, version 7, the variant, random bits) and a 720-hour session."""
    offers = "ARRAY[" + ",".join(map(str, ids["offers"])) + "]"
    affiliates = "ARRAY[" + ",".join(map(str, ids["affiliates"])) + "]"
    have = scalar(TALLY_DB, "SELECT count(*) FROM tracking_click")
    adding, first = target - have, have
    span_ms = (GROWTH_RETENTION_DAYS + GROWTH_EXTRA_DAYS) * 86_400_000
    while have < target:
        n = min(GROWTH_CHUNK, target - have)
        psql(
            TALLY_DB,
            "INSERT INTO tracking_click (transaction_id, offer_id, affiliate_id, aff_sub, aff_sub2, aff_sub3, aff_sub4,"
            " aff_sub5, source, aff_click_id, ip, user_agent, referer, country, device, os, is_unique, created_at,"
            " expires_at)"
            " SELECT lpad(to_hex((extract(epoch FROM t.at) * 1000)::bigint), 12, '0') || '7' || substr(t.h, 1, 3)"
            " || substr('89ab', 1 + (g % 4)::int, 1) || substr(t.h, 4, 15),"
            f" ({offers})[(1 + g % {len(ids['offers'])})::int],"
            f" ({affiliates})[(1 + (g / 7) % {len(ids['affiliates'])})::int], 'grow-' || (g % 5), '', '', '', '',"
            " '', '', ('10.200.0.0'::inet + (g % 65000)), 'bench/1.0', '', '', '', '', (g % 3 = 0), t.at,"
            " t.at + interval '720 hours'"
            f" FROM generate_series({have + 1}::bigint, {have + n}::bigint) g,"
            f" LATERAL (SELECT date_trunc('milliseconds', now() - interval '{span_ms} milliseconds'"
            f" + ((g - {first + 1}) * {span_ms}::numeric / {adding}) * interval '1 millisecond') AS at,"
            " md5(g::text || 'growth') AS h) t",
        )
        have += n
        print(f"  ... {have:,} clicks", flush=True)
    psql(TALLY_DB, "ANALYZE tracking_click")


def report_timing():
    output = subprocess.run(
        [str(PYTHON), "bench/report_timing.py"], cwd=ROOT, env=tally_env(), capture_output=True, text=True
    )
    if output.returncode != 0:
        return {"error": (output.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(output.stdout.strip().splitlines()[-1])


def growth(args, workers, log_dir):
    sizes = [int(s) for s in args.growth.split(",")]
    need = max(sizes) * GROWTH_BYTES_PER_CLICK + GROWTH_DISK_SPARE
    free = shutil.disk_usage(ROOT).free
    print(f"disk: {free / 2**30:.0f} GiB free, {need / 2**30:.0f} GiB wanted for {max(sizes):,} clicks", flush=True)
    if free < need:
        raise SystemExit("not enough free disk for the largest size: pick a smaller one")
    ids = prepare()
    print("partitions:", growth_tool("partitions", GROWTH_RETENTION_DAYS + GROWTH_EXTRA_DAYS + 1), flush=True)
    tally = Server(
        "config.wsgi:application", TALLY_PORT, tally_env(TALLY_CLICK_RETENTION_DAYS=str(GROWTH_RETENTION_DAYS)),
        workers, log_dir,
    )  # fmt: skip
    results = []
    for size in sizes:
        print(f"growing to {size:,} clicks ...", flush=True)
        started = time.monotonic()
        grow_clicks(size, ids)
        grown_in = time.monotonic() - started
        tids = Path(log_dir) / "transaction_ids.txt"
        write_transaction_ids(tids, 40000, "AND c.created_at > now() - interval '20 days'")
        postback = run_phase(
            tally, "/postback", postback_args(tids), args.growth_duration, postback_rows,
            warmup_args=postback_args(tids, True),
        )  # fmt: skip
        reports = report_timing()
        results.append((size, grown_in, postback, reports))
        print(f"  grown in {grown_in:.0f} s; postbacks {postback['rps']:.0f}/s; reports {reports}", flush=True)
    # The rollups are current (report_timing rebuilt them): the job drops the day partitions past retention.
    retention = growth_tool("retention")
    sizes_found = growth_tool("sizes")
    print(f"\nGrowth (postbacks for {args.growth_duration} s each; report reads: median of 20 calls)")
    print(f"{'clicks':>12}{'postback req/s':>16}{'p50':>10}{'p99':>10}   reports")
    for size, _grown_in, postback, reports in results:
        text = ", ".join(f"{k} {v}" for k, v in reports.items())
        print(
            f"{size:>12,}{postback['rps']:>16.0f}{fmt_ms(postback['p50_us']):>10}{fmt_ms(postback['p99_us']):>10}"
            f"   {text}"
        )
        ok = postback["stored"]["conversions"] == postback["answered"][200]
        print(f"{'':>12}conversions stored {postback['stored']['conversions']} = accepted {postback['answered'][200]}"
              f" {'ok' if ok else 'LOST OR EXTRA ROWS'}")  # fmt: skip
    print(
        f"\nRetention at {sizes[-1]:,} clicks: {retention['seconds']:.3f} s (target < 1 s), dropped"
        f" {', '.join(retention['dropped']) or 'nothing'} ({retention['their clicks']:,} clicks),"
        f" {retention['partitions left']} partitions left)"
    )
    for label, found in sizes_found.items():
        print(
            f"  {label}: {found['bytes per row']} bytes per row with indexes, {found['index bytes per row']} of them"
            f" indexes ({found['rows']:,} rows)"
        )


LOAD_AT_START = os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per measured run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of R, click, postback (noise evens out)")
    # The default won `--sweep` on this 2-core machine (README, "Performance"): 2 processes x 4 threads keep
    # connections alive and share each process's lookup cache across threads.
    # Granian won against gunicorn here, interleaved on the same machine (README, "Performance"), and is what
    # production runs (README, "Production"); R and Tally always run under the same server and worker model.
    parser.add_argument("--server", default="granian", choices=["granian", "gunicorn"])
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"], help="gunicorn's")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (Granian's blocking threads)")
    parser.add_argument("--kill-seconds", type=int, default=6, help="the worker-kill click burst")
    parser.add_argument("--compare-servers", action="store_true", help="Granian against gunicorn, interleaved")
    parser.add_argument("--sweep", action="store_true", help="compare worker models on R and clicks")
    parser.add_argument("--ceiling", action="store_true", help="R, R without Django and the click, interleaved")
    parser.add_argument("--growth", default="", help="comma-separated click counts, e.g. 100000,10000000,50000000")
    parser.add_argument("--growth-duration", type=int, default=8)
    parser.add_argument(
        "--quality",
        action="store_true",
        help="clicks from browsers at US addresses, and a click phase with targeting and a 1,000-entry blocklist on",
    )
    args = parser.parse_args()

    lock = hold_bench_lock()  # noqa: F841 - held until the process ends
    ensure_tools()
    workers = ("granian" if args.server == "granian" else args.worker_class, args.workers, args.threads)
    print(f"server: {args.server} ({describe(workers)}), for R and Tally alike", flush=True)
    log_dir = tempfile.mkdtemp(prefix="tally-bench-")
    print(f"server logs: {log_dir}", flush=True)
    if True:
        if args.sweep:
            sweep(args, log_dir)
            return 0
        if args.compare_servers:
            compare_servers(args, log_dir)
            return 0
        if args.ceiling:
            ceiling(args, workers, log_dir)
            return 0
        if args.growth:
            growth(args, workers, log_dir)
            return 0
        return 0 if main_run(args, workers, log_dir) else 1


if __name__ == "__main__":
    sys.exit(main())
