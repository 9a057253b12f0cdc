"""Settings of the reference app: no middleware, one app with one model, PostgreSQL from DATABASE_URL."""

import environ

env = environ.Env()

DEBUG = False
SECRET_KEY = "bench-reference-only"  # noqa: S105 - serves 127.0.0.1 only, during a benchmark
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = ["bench.reference"]
MIDDLEWARE = []
ROOT_URLCONF = "bench.reference.urls"
WSGI_APPLICATION = "bench.reference.wsgi.application"
DATABASES = {"default": env.db("DATABASE_URL")}
# Persistent connections, as Tally's production settings have.
DATABASES["default"]["CONN_MAX_AGE"] = 600
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The benchmark's SQLite phase: the journal and locking Tally's embedded default uses (config/settings.py), so
    # R's writers wait for the lock as Tally's do instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
