"""CPU per request of R, a click and a postback: serial, in-process, split between Python and PostgreSQL.

    .venv/bin/python bench/cpu_cost.py [--requests 3000]     # after `make bench` made the bench databases

Throughput on a shared 2-core machine swings from run to run; CPU time barely does, and it is what a loaded
server runs out of. Each kind runs in a child process of its own (R and Tally have different settings), calling
the WSGI application directly, no HTTP server: the Python process's CPU (time.process_time) and that of its
PostgreSQL backend (/proc/<pid>/stat, so PostgreSQL must run on this machine) are read before and after.
Postbacks convert unexpired clicks the benchmark left unconverted (every answer should be a 200; the answers are
printed); clicks and postbacks are stored like any others.
"""

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import PG, REF_DB, TALLY_DB, tally_env  # noqa: E402


def request_environ(path, query, n):
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_X_FORWARDED_FOR": f"10.9.{n % 250}.{n % 200 + 1}",
        "HTTP_USER_AGENT": "bench/1.0",
    }


def measure(kind, count):
    """Runs in the child: warm up, then `count` requests; prints one JSON line."""
    import psycopg

    if kind == "R":
        from bench.reference.wsgi import application
    else:
        from config.wsgi import application
    from django.db import connection

    with psycopg.connect(PG + TALLY_DB) as db:
        # The benchmark seeds offers and affiliates so that every pair is a working link: take a stored click's.
        pair = "SELECT offer_id, affiliate_id FROM tracking_click ORDER BY id LIMIT 1"
        offer_id, aff_id = db.execute(pair).fetchone()
        tids = []
        # Every advertiser's postbacks carry its security token.
        token = db.execute("SELECT coalesce(max(security_token), '') FROM partners_advertiser").fetchone()[0]
        if kind == "postback":
            tids = [
                row[0]
                for row in db.execute(
                    "SELECT transaction_id FROM tracking_click c WHERE c.expires_at > now() AND NOT EXISTS "
                    "(SELECT 1 FROM conversions_conversion v WHERE v.click_id = c.id) ORDER BY id DESC LIMIT %s",
                    (count + 100,),
                )
            ]
            if len(tids) < count + 100:
                raise SystemExit("not enough unconverted clicks: run `make bench` first")

    def call(n):
        if kind == "postback":
            query = f"transaction_id={tids[n]}&amount=49.90&adv_sub=ORD-{n}&security_token={token}"
            environ = request_environ("/postback", query, n)
        else:
            environ = request_environ("/click", f"offer_id={offer_id}&aff_id={aff_id}&aff_sub=cpu{n}", n)
        statuses = []
        b"".join(application(environ, lambda status, headers, exc_info=None: statuses.append(status)))
        return statuses[0]

    answers = {call(n) for n in range(100)}  # warm up: imports, prepared statements, the route cache
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_cpu():
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    python0, pg0 = time.process_time(), backend_cpu()
    answers |= {call(n) for n in range(100, count + 100)}
    python, pg = time.process_time() - python0, backend_cpu() - pg0
    print(json.dumps({"python_ms": python / count * 1e3, "postgres_ms": pg / count * 1e3, "answers": sorted(answers)}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure(args.child, args.requests)
        return
    environments = {
        "R": {**os.environ, "DATABASE_URL": PG + REF_DB, "DJANGO_SETTINGS_MODULE": "bench.reference.settings"},
        "click": tally_env(),
        "postback": tally_env(),
    }
    results = {}
    for kind, env in environments.items():
        command = [sys.executable, __file__, "--child", kind, "--requests", str(args.requests)]
        output = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
        results[kind] = json.loads(output.strip().splitlines()[-1])
    base = results["R"]["python_ms"] + results["R"]["postgres_ms"]
    print(f"CPU per request, {args.requests} serial requests each (ms)")
    print(f"{'':10}{'Python':>9}{'PostgreSQL':>12}{'total':>9}{'x R':>7}   answers")
    for kind, result in results.items():
        total = result["python_ms"] + result["postgres_ms"]
        print(
            f"{kind:10}{result['python_ms']:>9.3f}{result['postgres_ms']:>12.3f}{total:>9.3f}{total / base:>7.2f}"
            f"   {', '.join(result['answers'])}"
        )


if __name__ == "__main__":
    main()
