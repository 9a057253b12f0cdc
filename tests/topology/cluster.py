"""The production topology of README, Production, built for real on this machine (for tests/topology).

A database of its own on the local PostgreSQL (the primary), a streaming replica of that cluster (pg_basebackup into
a temporary folder, its own postgres on REPLICA_PORT), PgBouncer in transaction mode in front of the primary, Redis as
the broker, and the Procfile's own lines for web, worker and beat. PostgreSQL and PgBouncer refuse to run as root:
when the tests do, those two run as the postgres user. Every process starts in a session of its own, so that a kill
(SIGKILL: a machine lost) or a stop (SIGTERM) reaches its children too; `Topology.close` stops them all and removes
the folder, also when the test failed.
"""

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("TALLY_TOPOLOGY_PG_BIN", "/usr/lib/postgresql/15/bin"))
PRIMARY_HOST, PRIMARY_PORT = "127.0.0.1", int(os.environ.get("TALLY_TOPOLOGY_PRIMARY_PORT", "5432"))
DB_NAME = "tally_topology_run"
REPLICA_PORT, PGBOUNCER_PORT = 5440, 6440
WEB_PORTS = (8140, 8141)
SPARE_PORT = 8143
# Redis databases of their own: the broker, and the cache (rate limits and sign-in counts).
BROKER_URL = "redis://127.0.0.1:6379/13"
CACHE_URL = "redis://127.0.0.1:6379/14"
# The parameters a hot standby must have at least as large as its primary's.
STANDBY_MINIMUMS = (
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
)


def dsn(port=PRIMARY_PORT, dbname=DB_NAME):
    return f"postgresql://postgres@127.0.0.1:{port}/{dbname}"


def sql(query, *params, port=PRIMARY_PORT, dbname=DB_NAME):
    """Rows of one statement, in a connection of its own (autocommit)."""
    with psycopg.connect(dsn(port, dbname), autocommit=True, connect_timeout=5) as connection:
        cursor = connection.execute(query, params or None)
        return cursor.fetchall() if cursor.description else []


def as_postgres():
    """Popen arguments that run a PostgreSQL or PgBouncer program as the postgres user when we are root."""
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


def wait_until(condition, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def port_open(port):
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        return True
    return False


def procfile():
    """{name: command} of the production Procfile."""
    lines = (ROOT / "Procfile").read_text().splitlines()
    return dict(line.split(":", 1)[0:1] + [line.split(":", 1)[1].strip()] for line in lines if re.match(r"^\w+:", line))


def missing_tools():
    """What `make topology-tools` provides and this machine lacks, in words; empty when nothing is missing."""
    missing = []
    if not (shutil.which("pgbouncer") or Path("/usr/sbin/pgbouncer").exists()):
        missing.append("PgBouncer")
    rules = sql("SELECT database FROM pg_hba_file_rules WHERE type = 'host'", dbname="postgres")
    if not any("replication" in databases for (databases,) in rules):
        missing.append("a pg_hba.conf line that lets 127.0.0.1 replicate")
    return missing


class Topology:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tally_topology_"))
        os.chmod(self.folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self.processes = {}  # name: (Popen, log path)
        self.replica_dir = self.folder / "replica"
        self.replica_started = False
        self.database_created = False

    # --- the database, its replica and PgBouncer -------------------------------------------------------------

    def create_database(self):
        sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', dbname="postgres")
        sql(f'CREATE DATABASE "{DB_NAME}"', dbname="postgres")
        self.database_created = True

    def drop_database(self):
        if not self.database_created:
            return
        with contextlib.suppress(psycopg.Error):
            sql(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)', dbname="postgres")

    def start_replica(self):
        """A hot standby of the whole local cluster, streaming from it (pg_basebackup -R writes the connection)."""
        minimums = {name: sql(f"SHOW {name}")[0][0] for name in STANDBY_MINIMUMS}
        self.run(
            [PG_BIN / "pg_basebackup", "-h", PRIMARY_HOST, "-p", str(PRIMARY_PORT), "-U", "postgres"]
            + ["-D", self.replica_dir, "-X", "stream", "-R", "--checkpoint=fast", "--no-sync"],
            postgres=True,
        )
        settings = {
            "port": REPLICA_PORT,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.folder}'",
            "hot_standby": "on",
            "shared_buffers": "'32MB'",
            "fsync": "off",
            "shared_preload_libraries": "''",
            **minimums,
        }
        conf = "".join(f"{name} = {value}\n" for name, value in settings.items())
        for name, text in {
            "postgresql.conf": conf,
            "pg_hba.conf": "local all all trust\nhost all all 127.0.0.1/32 trust\n",
            "pg_ident.conf": "",
        }.items():
            (self.replica_dir / name).write_text(text)
            if os.geteuid() == 0:
                shutil.chown(self.replica_dir / name, "postgres", "postgres")
        log = self.folder / "replica.log"
        self.replica_started = True
        self.run([PG_BIN / "pg_ctl", "-D", self.replica_dir, "-l", log, "-w", "-t", "60", "start"], postgres=True)
        assert sql("SELECT pg_is_in_recovery()", port=REPLICA_PORT) == [(True,)]

    def replica_caught_up(self):
        """Wait until the replica has replayed everything the primary has written so far."""
        (target,) = sql("SELECT pg_current_wal_lsn()::text")[0]
        query = "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn"
        assert wait_until(lambda: sql(query, target, port=REPLICA_PORT)[0][0], timeout=30), "the replica lags"

    def stop_replica(self):
        if self.replica_started:
            self.run([PG_BIN / "pg_ctl", "-D", self.replica_dir, "-m", "immediate", "stop"], postgres=True, check=False)
            self.replica_started = False

    def start_pgbouncer(self):
        ini = self.folder / "pgbouncer.ini"
        users = self.folder / "userlist.txt"
        users.write_text('"postgres" ""\n')
        ini.write_text(
            "[databases]\n"
            f"{DB_NAME} = host=127.0.0.1 port={PRIMARY_PORT} dbname={DB_NAME}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {PGBOUNCER_PORT}\nunix_socket_dir = {self.folder}\n"
            f"auth_type = trust\nauth_file = {users}\nadmin_users = postgres\n"
            "pool_mode = transaction\ndefault_pool_size = 10\nmax_client_conn = 500\n"
        )
        program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        self.start("pgbouncer", [program, str(ini)], postgres=True)
        assert wait_until(lambda: port_open(PGBOUNCER_PORT), timeout=10), self.log("pgbouncer")

    def pgbouncer_transactions(self):
        """Transactions PgBouncer has passed to the database so far (SHOW STATS on its admin console, which speaks
        only the simple query protocol: psql's)."""
        result = self.run(
            ["psql", f"postgresql://postgres@127.0.0.1:{PGBOUNCER_PORT}/pgbouncer", "-tAF,", "-c", "SHOW STATS"]
        )
        lines = result.stdout.splitlines()
        rows = [line.split(",") for line in lines if line.startswith(f"{DB_NAME},")]
        return int(rows[0][1]) if rows else 0

    # --- Tally's processes ------------------------------------------------------------------------------------

    def app_environment(self, **extra):
        """The production settings (README, Configuration) of this topology, with short postback timings."""
        return {
            "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}",
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "topology-test-key-" + "x" * 40,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": dsn(PGBOUNCER_PORT),
            "DATABASE_POOLER": "pgbouncer",
            "DATABASE_REPLICA_URL": dsn(REPLICA_PORT),
            "CELERY_BROKER_URL": BROKER_URL,
            "CACHE_URL": CACHE_URL,
            "TALLY_VAR_DIR": str(self.folder / "var"),
            "TALLY_CLICK_RATE_LIMIT": "0",
            "TALLY_POSTBACK_RATE_LIMIT": "0",
            "TALLY_POSTBACK_ALLOW_LOOPBACK": "true",
            # A killed worker's deliveries are sent again by the sweep within seconds, not minutes.
            "TALLY_POSTBACK_SWEEP_SECONDS": "1",
            "TALLY_POSTBACK_REQUEUE_SECONDS": "2",
            "TALLY_POSTBACK_CLAIM_SECONDS": "5",
            "TALLY_POSTBACK_RETRY_BASE_SECONDS": "0.2",
            "TALLY_POSTBACK_RETRY_MAX_SECONDS": "1",
            **extra,
        }

    def manage(self, *args, direct=False, script=None):
        """manage.py (or a Python script) with this topology's settings; direct: on the primary, not PgBouncer."""
        env = self.app_environment()
        if direct:
            env["DATABASE_URL"], env["DATABASE_POOLER"] = dsn(), ""
        command = [sys.executable, "-c", script] if script else [sys.executable, "manage.py", *args]
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result.stdout

    def start_procfile(self, kind, name, app=None, env=None, **extra):
        """One process of the Procfile's line `kind` (web, worker, beat), as a process manager would run it; `app`
        replaces the web line's WSGI application, `env` the environment."""
        command = procfile()[kind]
        if app:
            command = command.replace("config.wsgi:application", app)
        environment = env or self.app_environment(**extra)
        self.start(name, ["bash", "-c", f"exec {command}"], env={**environment, **extra}, cwd=ROOT)

    # --- processes --------------------------------------------------------------------------------------------

    def run(self, command, postgres=False, check=True):
        result = subprocess.run(
            [str(part) for part in command],
            capture_output=True,
            text=True,
            timeout=300,
            cwd=self.folder,
            **(as_postgres() if postgres else {}),
        )
        assert result.returncode == 0 or not check, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def start(self, name, command, env=None, cwd=None, postgres=False):
        log_path = self.folder / f"{name}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                [str(part) for part in command],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=cwd or self.folder,
                start_new_session=True,
                **(as_postgres() if postgres else {}),
            )
        self.processes[name] = (process, log_path)
        return process

    def kill(self, name):
        """SIGKILL the process and everything it started: the machine it ran on is gone."""
        process, _ = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop(self, name, timeout=20):
        """SIGTERM, as a process manager stops a process; SIGKILL if it is not gone within the timeout. The exit
        status, or None when it had to be killed."""
        process, _ = self.processes[name]
        if process.poll() is not None:
            return process.returncode
        process.send_signal(signal.SIGTERM)
        try:
            return process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill(name)
            return None

    def log(self, name, last=3000):
        _, path = self.processes.get(name, (None, self.folder / f"{name}.log"))
        return path.read_text(errors="replace")[-last:] if path.exists() else ""

    def logs(self):
        names = [*self.processes, "replica"]
        return "\n".join(f"--- {name}.log ---\n{self.log(name, 1500)}" for name in names)

    def close(self):
        for name in reversed(list(self.processes)):
            with contextlib.suppress(Exception):
                self.stop(name, timeout=10)
                # What a stopped process's session still holds (a pool's children) goes too.
                process, _ = self.processes[name]
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(process.pid, signal.SIGKILL)
        self.stop_replica()
        self.drop_database()
        shutil.rmtree(self.folder, ignore_errors=True)
