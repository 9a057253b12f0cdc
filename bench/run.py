"""Tally's hot-path benchmark: click and postback throughput as ratios to a reference app R, measured in one run.

    make bench                              # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --duration 15 --worker-class gthread --workers 3 --threads 4
    .venv/bin/python bench/run.py --sweep   # try worker models and counts on R and on clicks, print a table
    .venv/bin/python bench/run.py --growth 100000,10000000   # postback latency and report reads as clicks grow
    .venv/bin/python bench/run.py --quality  # + a click phase with targeting and a 1,000-entry blocklist on

What it does, on 127.0.0.1 only (ports 8110-8111):
1. installs what it needs (gunicorn from the `bench` extra, wrk from Debian) when missing;
2. drops and creates the databases tally_bench and tally_bench_ref, migrates them, seeds offers and affiliates
   through Tally's own services;
3. starts R (bench/reference: no middleware, one table, one INSERT and a 302) under gunicorn and drives it with wrk;
   then Tally (production settings: DEBUG off, PostgreSQL, persistent connections) with clicks, then postbacks
   that convert the transaction IDs of the clicks just made, each with the same gunicorn worker model and count;
4. stops each server (so every request in flight is answered) and checks nothing was lost: click rows stored =
   302s the server answered; conversions stored = postbacks it accepted (200); one postback log row per postback;
5. prints requests/s as ratios to R with p50/p99 latency, against the targets in TARGETS below.
"""

import argparse
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
BIN = ROOT / ".venv" / "bin"
PYTHON = BIN / "python"
PG = "postgres://postgres@127.0.0.1:5432/"
# BENCH_NAME and BENCH_PORT let two benchmarks run side by side (their own databases and ports).
_NAME = os.environ.get("BENCH_NAME", "bench")
TALLY_DB, REF_DB = f"tally_{_NAME}", f"tally_{_NAME}_ref"
TALLY_PORT = int(os.environ.get("BENCH_PORT", "8110"))
REF_PORT = TALLY_PORT + 1
CONNECTIONS, WRK_THREADS = 16, 2
TARGETS = {"click": 1.0, "postback": 0.7}
P99_TARGET_MS = 20.0
# --quality: the click with targeting and a 1,000-entry blocklist on may be at most this much slower (README).
QUALITY_MAX_DROP = 0.05


# --- tools and databases --------------------------------------------------------------------------------------


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
    """gunicorn on 127.0.0.1:port; leaving the block stops it gracefully, so every request it took is answered."""

    def __init__(self, app, port, env, workers, log_dir):
        self.app, self.port, self.env, self.workers = app, port, env, workers
        self.access_log = Path(log_dir) / f"access-{port}.log"
        self.error_log = Path(log_dir) / f"error-{port}.log"
        self.process = None

    def __enter__(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            raise RuntimeError(f"something already listens on 127.0.0.1:{self.port}; stop it first")
        except OSError:
            pass
        kind, count, threads = self.workers
        command = [str(BIN / "gunicorn"), self.app, "--bind", f"127.0.0.1:{self.port}", "--workers", str(count)]
        # --preload: the app is imported once in the master and forked, so no worker spends the first seconds of a
        # run importing Django (as in production, where a restart must not stall traffic).
        command += ["--worker-class", kind, "--worker-tmp-dir", "/dev/shm", "--backlog", "2048", "--preload"]
        if kind == "gthread":
            command += ["--threads", str(threads), "--keep-alive", "5"]
        command += ["--access-logfile", str(self.access_log), "--access-logformat", "%(s)s %(m)s %(U)s"]
        command += ["--error-logfile", str(self.error_log)]
        self.access_log.unlink(missing_ok=True)
        # Django logs each 4xx as a warning on stderr: keep it with gunicorn's own log, out of the report.
        with self.error_log.open("a") as errors:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=errors, stderr=errors)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start on port {self.port}; see {self.error_log}")

    def __exit__(self, *exc):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)

    def log_offset(self):
        return self.access_log.stat().st_size if self.access_log.exists() else 0

    def answered_since(self, offset):
        """HTTP statuses the server wrote to its access log after `offset` (read once it has stopped)."""
        with self.access_log.open("rb") as log:
            log.seek(offset)
            return Counter(int(line.split()[0]) for line in log if line.strip())


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
        offset, before = server.log_offset(), count_rows()
        result = wrk(url, duration, lua_args)
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


# --- the main run ---------------------------------------------------------------------------------------------


def fmt_ms(us):
    return f"{us / 1000:.2f} ms"


def median_result(results):
    """One line per phase: the median round by throughput, latencies taken from the medians of every round."""
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p50_us": statistics.median(r["p50_us"] for r in results),
        "p99_us": statistics.median(r["p99_us"] for r in results),
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

    kind, count, threads = workers
    model = f"{kind} x{count}" + (f" ({threads} threads each)" if kind == "gthread" else "")
    print()
    print(f"Tally hot-path benchmark: {os.cpu_count()} cores, wrk {WRK_THREADS} threads x {CONNECTIONS} connections,")
    print(f"{args.rounds} rounds of R, click, postback ({args.duration} s each after a 3 s warm-up; medians shown),")
    print(f"gunicorn {model} for both apps, PostgreSQL on 127.0.0.1")
    print(f"machine load (1-min average) at start {LOAD_AT_START:.1f}, at end {os.getloadavg()[0]:.1f}")
    print()
    header = f"{'':<34}{'req/s':>9}{'x R':>7}{'p50':>10}{'p99':>10}   target"
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
            p99_ok = result["p99_us"] / 1000 < P99_TARGET_MS
            met &= ratio_ok and p99_ok
            verdict = (
                f"x{TARGETS[name]:.1f} {'met' if ratio_ok else 'MISSED'}, "
                f"p99<{P99_TARGET_MS:.0f}ms {'met' if p99_ok else 'MISSED'}"
            )
        print(
            f"{label:<34}{result['rps']:>9.0f}{ratio:>7.2f}{fmt_ms(result['p50_us']):>10}"
            f"{fmt_ms(result['p99_us']):>10}   {verdict}"
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
    print(f"targets: {'all met' if met else 'NOT all met'}; rows: {'none lost' if rows_ok else 'MISMATCH'}")
    return rows_ok


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


# --- growth: postback latency and report reads at 100k vs 10M clicks -----------------------------------------


def grow_clicks(target, ids):
    """Add synthetic clicks (spread over the last 90 days) until tracking_click holds `target` rows."""
    offers = "ARRAY[" + ",".join(map(str, ids["offers"])) + "]"
    affiliates = "ARRAY[" + ",".join(map(str, ids["affiliates"])) + "]"
    have = scalar(TALLY_DB, "SELECT count(*) FROM tracking_click")
    chunk = 1_000_000
    while have < target:
        n = min(chunk, target - have)
        psql(
            TALLY_DB,
            "INSERT INTO tracking_click (transaction_id, offer_id, affiliate_id, aff_sub, aff_sub2, aff_sub3, aff_sub4,"
            " aff_sub5, source, aff_click_id, ip, user_agent, referer, is_unique, created_at, expires_at, expired)"
            f" SELECT md5(random()::text || g::text), ({offers})[(1 + g % {len(ids['offers'])})::int],"
            f" ({affiliates})[(1 + (g / 7) % {len(ids['affiliates'])})::int], 'grow', '', '', '', '', '', '',"
            " ('10.200.0.0'::inet + (g % 65000)), 'bench/1.0', '', (g % 3 = 0), t.created_at,"
            " t.created_at + interval '720 hours', false"
            f" FROM generate_series({have + 1}::bigint, {have + n}::bigint) g,"
            " LATERAL (SELECT now() - ((g * 7919) % 7776000) * interval '1 second' AS created_at) t",
        )
        have += n
        print(f"  ... {have:,} clicks", flush=True)
    psql(TALLY_DB, "VACUUM ANALYZE tracking_click")


def report_timing():
    output = subprocess.run(
        [str(PYTHON), "bench/report_timing.py"], cwd=ROOT, env=tally_env(), capture_output=True, text=True
    )
    if output.returncode != 0:
        return {"error": (output.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(output.stdout.strip().splitlines()[-1])


def growth(args, workers, log_dir):
    ids = prepare()
    tally = Server("config.wsgi:application", TALLY_PORT, tally_env(), workers, log_dir)
    results = []
    for size in [int(s) for s in args.growth.split(",")]:
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


LOAD_AT_START = os.getloadavg()[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per measured run")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of R, click, postback (noise evens out)")
    # The default won `--sweep` on this 2-core machine (README, "Performance"): 2 processes x 4 threads keep
    # connections alive and share each process's lookup cache across threads.
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--sweep", action="store_true", help="compare worker models on R and clicks")
    parser.add_argument("--growth", default="", help="comma-separated click counts, e.g. 100000,10000000")
    parser.add_argument("--growth-duration", type=int, default=8)
    parser.add_argument(
        "--quality",
        action="store_true",
        help="clicks from browsers at US addresses, and a click phase with targeting and a 1,000-entry blocklist on",
    )
    args = parser.parse_args()

    ensure_tools()
    workers = (args.worker_class, args.workers, args.threads)
    log_dir = tempfile.mkdtemp(prefix="tally-bench-")
    print(f"server logs: {log_dir}", flush=True)
    if True:
        if args.sweep:
            sweep(args, log_dir)
            return 0
        if args.growth:
            growth(args, workers, log_dir)
            return 0
        return 0 if main_run(args, workers, log_dir) else 1


if __name__ == "__main__":
    sys.exit(main())
