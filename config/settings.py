"""Tally settings, read from the environment (or a .env file) through django-environ.

Django's own settings take a DJANGO_ prefix; Tally's take TALLY_. Malformed values fail at start.
"""

import ipaddress
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

VAR_DIR = Path(env.str("TALLY_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# The development default starts with Django's "django-insecure-" mark, so `manage.py check --deploy` refuses it.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="django-insecure-tally-development-key-never-use-in-production")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS, in production: DJANGO_HTTPS=true redirects plain HTTP to HTTPS, marks the session and CSRF cookies Secure
# and sends HSTS (browsers then refuse plain HTTP to this host for a year). Off by default, so that `make run` and
# the tests work on http://127.0.0.1; `manage.py check --deploy --fail-level WARNING` fails until it is on.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=HTTPS)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=HTTPS)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=HTTPS)
# Behind a proxy that terminates TLS, Django sees plain HTTP: trust the proxy's X-Forwarded-Proto header (only if
# the proxy sets it on every request, replacing any the client sent), or SECURE_SSL_REDIRECT redirects forever.
if env.bool("DJANGO_SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# System checks to silence, e.g. security.W008 when the proxy itself redirects HTTP to HTTPS.
SILENCED_SYSTEM_CHECKS = env.list("DJANGO_SILENCED_SYSTEM_CHECKS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # Who changed what, in a hash chain (README, Audit trail): below every app whose changes it records.
    "audit",
    "partners",
    "offers",
    # Targeting, bots and blocklists (README, Traffic quality): read by the click and the postback.
    "quality",
    "tracking",
    "conversions",
    "reports",
    # Affiliate and advertiser invoices and payments (README, Billing).
    "billing",
    # E-mail and the in-portal inbox, from events of the apps below it (README, Notifications).
    "notifications",
    # Heartbeats and periodic task runs, the system page's and /metrics' reads (README, Operations).
    "operations",
    # Audience areas: pages, forms and URLs per audience; the manager area also holds seed_demo.
    "areas.manager",
]

MIDDLEWARE = [
    # A request ID for the log lines of the request and of the tasks it causes (core/logs.py).
    "core.logs.request_id_middleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every page (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Serves static files from any process (runserver with DEBUG off, gunicorn) without a separate web server.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user and client address of the audit trail's entries (audit/context.py).
    "audit.context.audit_context_middleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# What a page may load: scripts, styles and images from this site only (templates have no inline script, style or
# on* handler; static/js/ does the rest), no plugins, no framing, forms posting here. The Swagger UI page at
# /api/docs/ adds inline styles and data: images (config/api_urls.py). /click and /postback skip this middleware
# (config/hotpaths.py): they answer redirects and JSON. SecurityMiddleware adds X-Content-Type-Options: nosniff and
# Referrer-Policy: same-origin (Django's defaults, pinned here).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default (no server needed); DATABASE_URL=postgres://... for PostgreSQL. DATABASE_POOLER=pgbouncer when
# DATABASE_URL points at PgBouncer in transaction mode (below).
DATABASE_POOLER = env.str("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise environ.ImproperlyConfigured("DATABASE_POOLER must be empty or pgbouncer")
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'tally.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN, so two
    # postbacks never both read a cap count and then both write (SQLite has no row locks).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
# Each thread keeps its connection this many seconds: opening one (and, on SQLite, running the PRAGMAs above)
# cost more than the click itself (bench/run.py's SQLite phase: 0.2 x R with a new connection per request).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # Off by default: a health check is a `SELECT 1` round trip before every request's first query, which the click
    # and postback endpoints (one or a few short statements) cannot afford. Without it, a connection the database
    # dropped (e.g. a restart) fails one request in each worker, which Django then discards.
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=False)
    # Server-side parameters, so psycopg prepares each statement a connection runs often (after
    # DJANGO_DB_PREPARE_THRESHOLD runs) and PostgreSQL parses and plans it once. Turn off (false) behind a pooler
    # in transaction mode (PgBouncer before 1.21), where prepared statements do not survive between transactions.
    if env.bool("DJANGO_DB_SERVER_SIDE_BINDING", default=DATABASE_POOLER != "pgbouncer"):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=env.int("DJANGO_DB_PREPARE_THRESHOLD", default=5)
        )
    # PgBouncer in transaction mode (README, Production): a server connection is someone else's after each
    # transaction, so nothing may outlive one: no prepared statements (above; Debian 12's PgBouncer 1.18 cannot
    # keep them) and no WITH HOLD cursors, which .iterator() opens outside a transaction. A client connection to
    # PgBouncer holds no server connection between transactions, so DJANGO_CONN_MAX_AGE keeps its default.
    if DATABASE_POOLER == "pgbouncer":
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    # A streaming replica for report and list pages (core/db_routing.py; README, Production): the default's options
    # (unless its URL gives its own), and in tests a mirror of the default database. Never migrated; every write and
    # the postback's lookup use default.
    DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
    if DATABASE_REPLICA_URL:
        DATABASES["replica"] = {
            **DATABASES["default"],
            **env.db_url_config(DATABASE_REPLICA_URL),
            "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
            "TEST": {"MIRROR": "default"},
        }
        DATABASE_ROUTERS = ["core.db_routing.ReplicaRouter"]
# Pages read from the replica after the browser's last POST (or other write) plus this many seconds: what a form
# just saved shows on the page it redirects to, even while the replica lags (core/db_routing.py).
TALLY_REPLICA_PIN_SECONDS = env.int("TALLY_REPLICA_PIN_SECONDS", default=10)
if "replica" in DATABASES:
    MIDDLEWARE.append("core.db_routing.primary_after_write_middleware")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The sign-in lockout (core/lockout.py) is a gate in front of Django's ModelBackend, here its subclass that takes a
# username or an e-mail address.
AUTHENTICATION_BACKENDS = ["core.lockout.LockoutBackend", "core.lockout.UsernameOrEmailBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Uploaded files (creatives' images, README.md Creatives): under var/media by default, or in an S3-compatible bucket
# through django-storages when TALLY_MEDIA_S3_BUCKET is set (install the `s3` extra for boto3). Either way they are
# served only through Tally's own views (offers/views.py), never from MEDIA_URL, so the bucket may stay private.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"
TALLY_MEDIA_S3_BUCKET = env.str("TALLY_MEDIA_S3_BUCKET", default="")
if TALLY_MEDIA_S3_BUCKET:
    _media_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": TALLY_MEDIA_S3_BUCKET,
            "endpoint_url": env.str("TALLY_MEDIA_S3_ENDPOINT_URL", default="") or None,
            "region_name": env.str("TALLY_MEDIA_S3_REGION", default="") or None,
            "access_key": env.str("TALLY_MEDIA_S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("TALLY_MEDIA_S3_SECRET_ACCESS_KEY", default="") or None,
            "location": env.str("TALLY_MEDIA_S3_PREFIX", default="media"),
            "default_acl": None,
            "file_overwrite": False,
        },
    }
else:
    _media_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _media_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Creative images (offers/creatives.py): the largest file and picture a manager may upload.
TALLY_CREATIVE_MAX_BYTES = env.int("TALLY_CREATIVE_MAX_BYTES", default=1024 * 1024)
TALLY_CREATIVE_MAX_WIDTH = env.int("TALLY_CREATIVE_MAX_WIDTH", default=2000)
TALLY_CREATIVE_MAX_HEIGHT = env.int("TALLY_CREATIVE_MAX_HEIGHT", default=2000)
# The affiliates' catalogue: an offer is "new" (?new=true) this many days after it was created.
TALLY_CATALOGUE_NEW_DAYS = env.int("TALLY_CATALOGUE_NEW_DAYS", default=14)
# Without collectstatic (make run, tests) WhiteNoise serves straight from the finders.
WHITENOISE_USE_FINDERS = True

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# The blank choice of list filters (portal filter bars) reads "Any" rather than "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Any"

EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="tally@localhost")
# Where django.core.mail.backends.filebased.EmailBackend writes each message (one file per connection).
EMAIL_FILE_PATH = env.str("DJANGO_EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        # The same token as `Authorization: Bearer <key>`, what generated OpenAPI clients send by default.
        "core.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer", "core.renderers.BrowsableAPIRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The OpenAPI schema (/api/schema/) and its docs page (/api/docs/, Swagger UI served from our own static files).
SPECTACULAR_SETTINGS = {
    "TITLE": "Tally API",
    "DESCRIPTION": "Advertisers, affiliates, offers, clicks, conversions and reports of a Tally network. "
    "Authenticate with `Authorization: Bearer <key>` or `Authorization: Token <key>` (the same token: "
    "`manage.py drf_create_token <username>`), or a portal session.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PartnerStatusEnum": "partners.models.PartnerStatus",
        "OfferStatusEnum": "offers.models.Offer.Status",
        "OfferAccessStatusEnum": "offers.models.OfferAccess.Status",
        "ConversionStatusEnum": "conversions.models.Conversion.Status",
        "PayoutTypeEnum": "offers.models.PayoutType",
        "ConversionRuleActionEnum": "offers.models.RuleAction",
        "CountryCodeEnum": "offers.targeting.COUNTRY_CHOICES",
        "PaymentMethodEnum": "billing.models.PaymentMethod",
        "InvoiceStatusEnum": "billing.models.Invoice.Status",
        "BillingFrequencyEnum": "billing.models.Frequency",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema_response_fields_required",
        "core.api.schema_role_fields_optional",
        "core.api.schema_error_responses",
    ],
}

# --- Celery -----------------------------------------------------------------------------------
# The embedded default is kombu's filesystem transport: no broker server to run.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
_broker_dir = VAR_DIR / "broker"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        # Fanout exchanges (the worker's remote control); kombu's default is ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir.mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}
# Report rollups (reports.services.rollups_refresh): every minute (cron * * * * *), so reports lag by about a minute.
CELERY_BEAT_SCHEDULE["reports-refresh-rollups"] = {
    "task": "reports.tasks.refresh_rollups",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# --- Tally ------------------------------------------------------------------------------------
# Default session lifespan (attribution window) for new offers, in hours: 720 h = 30 days.
TALLY_DEFAULT_SESSION_HOURS = env.int("TALLY_DEFAULT_SESSION_HOURS", default=720)
# Days in reports and daily caps are cut in this zone.
TALLY_NETWORK_TIME_ZONE = env.str("TALLY_NETWORK_TIME_ZONE", default="UTC")
# How many reverse proxies in front of Tally append to X-Forwarded-For; 0 trusts only REMOTE_ADDR.
TALLY_TRUSTED_PROXY_COUNT = env.int("TALLY_TRUSTED_PROXY_COUNT", default=0)
# Longest accepted value of a sub ID or other free-text click/postback parameter.
TALLY_MAX_PARAM_LENGTH = env.int("TALLY_MAX_PARAM_LENGTH", default=2048)
# How long each process may keep the offer/affiliate lookup of a tracking link (tracking.routing): a paused offer
# or suspended affiliate stops clicks within this many seconds in every process (at once in the one that saved it).
TALLY_CLICK_CACHE_SECONDS = env.float("TALLY_CLICK_CACHE_SECONDS", default=5.0)
# Group commit of clicks (tracking/click_writer.py; README, Performance): 0 = each click its own INSERT; N = the
# clicks a process stores at once share INSERTs, at most N in flight per process.
TALLY_CLICK_WRITERS = env.int("TALLY_CLICK_WRITERS", default=0)
# The offline country database (README, Traffic quality): installed by `make assets` from npm, refreshed by
# `make country-db-refresh`; each process opens it once (restart the web server to read a refreshed one).
TALLY_COUNTRY_DB = env.path(
    "TALLY_COUNTRY_DB",
    default=BASE_DIR / "node_modules/@ip-location-db/geo-whois-asn-country-mmdb/geo-whois-asn-country.mmdb",
)
# Tolerance of the X-Tally-Signature timestamp, in seconds: how old a signature may be (each is accepted once, and
# remembered this long) and, separately, how far ahead of our clock a sender's clock may run.
TALLY_SIGNATURE_TOLERANCE = env.int("TALLY_SIGNATURE_TOLERANCE", default=300)
TALLY_SIGNATURE_FUTURE_SKEW = env.int("TALLY_SIGNATURE_FUTURE_SKEW", default=30)

# --- Cache, rate limits and login lockout (core/ratelimit.py, core/lockout.py) ----------------------
# Local memory by default (each process counts on its own); in production a shared Redis, e.g.
# CACHE_URL=redis://127.0.0.1:6379/1, so every web process counts against the same limits.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith(".RedisCache"):
    # A slow Redis must not hold up a click: give up quickly (the click and postback limits then let requests
    # through; sign-in is refused until Redis answers again).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_connect_timeout", 0.25)
    CACHES["default"]["OPTIONS"].setdefault("socket_timeout", 0.25)
elif CACHES["default"]["BACKEND"].endswith(".LocMemCache"):
    # Room for one counter per address and minute (the default 300 entries would forget counts under load).
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("MAX_ENTRIES", 100_000)
TALLY_RATELIMIT_CACHE = "default"
# Per-IP limits of the click and postback endpoints: requests per fixed window, answered 429 with Retry-After
# past them; 0 turns a limit off. Generous: one shopper's address (or a carrier's NAT) may click a lot, and an
# advertiser's server sends all its postbacks from one address.
TALLY_RATELIMIT_WINDOW_SECONDS = env.int("TALLY_RATELIMIT_WINDOW_SECONDS", default=60)
TALLY_CLICK_RATE_LIMIT = env.int("TALLY_CLICK_RATE_LIMIT", default=1200)
TALLY_POSTBACK_RATE_LIMIT = env.int("TALLY_POSTBACK_RATE_LIMIT", default=6000)
# Addresses or CIDR networks never rate limited (an advertiser's servers that send more, your monitoring).
TALLY_RATELIMIT_EXEMPT_IPS = env.list("TALLY_RATELIMIT_EXEMPT_IPS", default=[])
for _network in TALLY_RATELIMIT_EXEMPT_IPS:
    ipaddress.ip_network(_network, strict=False)  # a malformed entry stops Tally at start
# Per address: applications through the public /signup/ form per hour (each makes a pending affiliate and emails
# the managers). Per affiliate: test fires of a postback URL per minute (each makes Tally call that URL).
TALLY_SIGNUP_RATE_LIMIT = env.int("TALLY_SIGNUP_RATE_LIMIT", default=10)
TALLY_TEST_FIRE_RATE_LIMIT = env.int("TALLY_TEST_FIRE_RATE_LIMIT", default=10)
# Sign-in lockout, in windows of TALLY_LOGIN_LOCKOUT_SECONDS: this many failures for one username from one
# address lock that address out of that username, and this many from one address (any usernames) lock the address
# out, until the window ends. After TALLY_LOGIN_USER_SLOWDOWN_AFTER failures of one username from all addresses,
# each further attempt at it waits 1 s after its last failure, doubling up to TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS.
# 0 turns a limit off.
TALLY_LOGIN_MAX_FAILURES = env.int("TALLY_LOGIN_MAX_FAILURES", default=5)
TALLY_LOGIN_MAX_FAILURES_PER_IP = env.int("TALLY_LOGIN_MAX_FAILURES_PER_IP", default=30)
TALLY_LOGIN_LOCKOUT_SECONDS = env.int("TALLY_LOGIN_LOCKOUT_SECONDS", default=900)
TALLY_LOGIN_USER_SLOWDOWN_AFTER = env.int("TALLY_LOGIN_USER_SLOWDOWN_AFTER", default=20)
TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS = env.int("TALLY_LOGIN_USER_SLOWDOWN_MAX_SECONDS", default=60)

# --- Background jobs: affiliate postbacks and session expiry (docs/affiliate-postbacks.md, README) ---------
# Days a click is kept (README, Data retention): then its whole row goes, by day partition on PostgreSQL, but never
# while a session that could still convert is among the clicks of its day (operations.retention).
TALLY_CLICK_RETENTION_DAYS = env.int("TALLY_CLICK_RETENTION_DAYS", default=30)
# Days a postback-log row is kept (README, Data retention); conversions never need it.
TALLY_POSTBACK_LOG_RETENTION_DAYS = env.int("TALLY_POSTBACK_LOG_RETENTION_DAYS", default=90)
# Affiliate postbacks: retried with exponential backoff (base doubling up to max, with jitter) for this long.
TALLY_POSTBACK_RETRY_HOURS = env.float("TALLY_POSTBACK_RETRY_HOURS", default=72)
TALLY_POSTBACK_RETRY_BASE_SECONDS = env.float("TALLY_POSTBACK_RETRY_BASE_SECONDS", default=60)
TALLY_POSTBACK_RETRY_MAX_SECONDS = env.float("TALLY_POSTBACK_RETRY_MAX_SECONDS", default=6 * 3600)
# A delivery queued this long ago and still not attempted is queued again by the sweep (broker down, worker lost).
TALLY_POSTBACK_REQUEUE_SECONDS = env.float("TALLY_POSTBACK_REQUEUE_SECONDS", default=300)
# While a worker sends a delivery, the row is claimed (its next_attempt_at pushed this far ahead) so no one else
# sends it too; a worker killed mid-attempt leaves the row to the sweep once the claim runs out. Keep it longer than
# an attempt can take (postback_deliver's hard time limit is 60 s): a shorter claim may send a slow delivery twice.
TALLY_POSTBACK_CLAIM_SECONDS = env.float("TALLY_POSTBACK_CLAIM_SECONDS", default=120)
# How often beat runs the sweep that sends due deliveries.
TALLY_POSTBACK_SWEEP_SECONDS = env.float("TALLY_POSTBACK_SWEEP_SECONDS", default=60)
# After failing to reach the broker, a process leaves new deliveries to the sweep for this long.
TALLY_POSTBACK_BROKER_PAUSE_SECONDS = env.float("TALLY_POSTBACK_BROKER_PAUSE_SECONDS", default=10)
TALLY_POSTBACK_CONNECT_TIMEOUT = env.float("TALLY_POSTBACK_CONNECT_TIMEOUT", default=3)
TALLY_POSTBACK_READ_TIMEOUT = env.float("TALLY_POSTBACK_READ_TIMEOUT", default=5)
TALLY_POSTBACK_MAX_RESPONSE_BYTES = env.int("TALLY_POSTBACK_MAX_RESPONSE_BYTES", default=4096)
# Lets postbacks reach 127.0.0.1/::1. For tests and local experiments only: never in production.
TALLY_POSTBACK_ALLOW_LOOPBACK = env.bool("TALLY_POSTBACK_ALLOW_LOOPBACK", default=False)
# Pass the advertiser's values (the sale `amount`, the order reference `adv_sub`) to affiliates' postbacks as macros.
TALLY_PASS_ADVERTISER_VALUES = env.bool("TALLY_PASS_ADVERTISER_VALUES", default=False)
# The terms and conditions at /terms/ (which sign-up asks to accept): a UTF-8 text file; empty: the template
# registration/terms_text.html.
TALLY_TERMS_FILE = env.str("TALLY_TERMS_FILE", default="")

# Outgoing postbacks (slow network I/O) have a queue of their own; a worker started without -Q takes both.
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in ("celery", "postbacks")]
CELERY_TASK_ROUTES = {"conversions.tasks.postback_deliver": {"queue": "postbacks"}}
# No result backend by default (tasks record what they do in the database).
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default=None)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Send affiliate postbacks that are due and that no task carried: every minute (cron * * * * *) by default.
CELERY_BEAT_SCHEDULE["conversions-postback-sweep"] = {
    "task": "conversions.tasks.postback_sweep",
    "schedule": TALLY_POSTBACK_SWEEP_SECONDS,
    "options": {"expires": TALLY_POSTBACK_SWEEP_SECONDS},
}
# Forget used postback signatures whose window has ended (conversions.services.used_signatures_purge): every
# 5 minutes (cron */5 * * * *).
CELERY_BEAT_SCHEDULE["conversions-used-signatures-purge"] = {
    "task": "conversions.tasks.used_signatures_purge",
    "schedule": crontab(minute="*/5"),
    "options": {"expires": 4 * 60},
}
# Drop clicks and postback-log rows past retention (operations.retention; README, Data retention): hourly at
# minute 23 (cron 23 * * * *), after partitions_create_ahead; a run is idempotent.
CELERY_BEAT_SCHEDULE["operations-retention"] = {
    "task": "operations.tasks.retention_apply",
    "schedule": crontab(minute=23),
    "options": {"expires": 50 * 60},
}
# The daily partitions of clicks and the postback log a week ahead (docs/storage.md; PostgreSQL only): every hour at
# minute 3 (cron 3 * * * *). Idempotent, so a missed or repeated run is harmless.
CELERY_BEAT_SCHEDULE["operations-partitions-create-ahead"] = {
    "task": "operations.tasks.partitions_create_ahead",
    "schedule": crontab(minute=3),
    "options": {"expires": 50 * 60},
}

# Draft the invoices of closed billing periods (billing.services.invoices_draft; README, Billing): every hour at
# minute 7 (cron 7 * * * *), so a period is drafted within the hour after it closes; a run is idempotent.
CELERY_BEAT_SCHEDULE["billing-invoices-draft"] = {
    "task": "billing.tasks.invoices_draft",
    "schedule": crontab(minute=7),
    "options": {"expires": 50 * 60},
}

# Beat's heartbeat and the worker's (operations.tasks.heartbeat; the system page): every minute (cron * * * * *).
CELERY_BEAT_SCHEDULE["operations-heartbeat"] = {
    "task": "operations.tasks.heartbeat",
    "schedule": 60.0,
    "options": {"expires": 55},
}

# --- Billing (README, Billing) -------------------------------------------------------------------------------
# How often invoices are drafted for a partner whose billing profile leaves it blank: weekly, semimonthly, monthly
# or manual (never by the job).
TALLY_BILLING_DEFAULT_FREQUENCY = env.str("TALLY_BILLING_DEFAULT_FREQUENCY", default="monthly")
if TALLY_BILLING_DEFAULT_FREQUENCY not in ("weekly", "semimonthly", "monthly", "manual"):
    raise environ.ImproperlyConfigured("TALLY_BILLING_DEFAULT_FREQUENCY must be weekly, semimonthly, monthly or manual")
# An affiliate invoice below this (in its currency) is not issued; its conversions roll into the next period.
try:
    TALLY_BILLING_MINIMUM_PAYOUT = Decimal(env.str("TALLY_BILLING_MINIMUM_PAYOUT", default="50.00"))
except InvalidOperation:
    raise environ.ImproperlyConfigured("TALLY_BILLING_MINIMUM_PAYOUT must be an amount, e.g. 50.00") from None
if not TALLY_BILLING_MINIMUM_PAYOUT.is_finite() or TALLY_BILLING_MINIMUM_PAYOUT < 0:
    raise environ.ImproperlyConfigured("TALLY_BILLING_MINIMUM_PAYOUT must not be negative")
# The network as its invoices name it (the PDF's header).
TALLY_NETWORK_NAME = env.str("TALLY_NETWORK_NAME", default="Tally Network")
TALLY_NETWORK_ADDRESS = env.str("TALLY_NETWORK_ADDRESS", default="")
TALLY_NETWORK_TAX_ID = env.str("TALLY_NETWORK_TAX_ID", default="")

# --- Notifications and scheduled reports (README, Notifications; Scheduled reports) ------------------------------
# The network's address as people reach it, for the links in e-mails sent by the worker (it has no request).
TALLY_SITE_URL = env.str("TALLY_SITE_URL", default="http://localhost:8000")
# New-offer and offer-change e-mails wait this long after the first one, then go out as one digest per person.
TALLY_NOTIFY_DIGEST_MINUTES = env.int("TALLY_NOTIFY_DIGEST_MINUTES", default=15)
# A refusal spike: at least THRESHOLD postbacks refused for one reason code within the last MINUTES.
TALLY_NOTIFY_SPIKE_MINUTES = env.int("TALLY_NOTIFY_SPIKE_MINUTES", default=15)
TALLY_NOTIFY_SPIKE_THRESHOLD = env.int("TALLY_NOTIFY_SPIKE_THRESHOLD", default=50)
# Offer caps, refusal spikes, passed integration tests (notifications.tasks.watch): every minute (cron * * * * *).
CELERY_BEAT_SCHEDULE["notifications-watch"] = {
    "task": "notifications.tasks.watch",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# E-mails still owed and digests that are due (notifications.tasks.emails_send_owed): every minute (cron * * * * *).
CELERY_BEAT_SCHEDULE["notifications-emails-send-owed"] = {
    "task": "notifications.tasks.emails_send_owed",
    "schedule": 60.0,
    "options": {"expires": 55},
}
# Scheduled report e-mails (reports.tasks.scheduled_reports_send): every 15 minutes (cron */15 * * * *); each
# schedule is sent once per day, week or month, in the first run of its period.
CELERY_BEAT_SCHEDULE["reports-scheduled-reports-send"] = {
    "task": "reports.tasks.scheduled_reports_send",
    "schedule": crontab(minute="*/15"),
    "options": {"expires": 14 * 60},
}

# --- Operations: health, metrics, the system page, logs (README, Operations) ------------------------------------
# /readyz: seconds each of the database, cache and broker has to answer.
TALLY_READINESS_TIMEOUT = env.float("TALLY_READINESS_TIMEOUT", default=2.0)
# /metrics is readable from these addresses or CIDR networks (loopback by default), or anywhere with
# `Authorization: Bearer <TALLY_METRICS_TOKEN>` when that is set. Multiprocess mode: PROMETHEUS_MULTIPROC_DIR.
TALLY_METRICS_ALLOW = env.list("TALLY_METRICS_ALLOW", default=["127.0.0.0/8", "::1"])
for _network in TALLY_METRICS_ALLOW:
    ipaddress.ip_network(_network, strict=False)  # a malformed entry stops Tally at start
TALLY_METRICS_TOKEN = env.str("TALLY_METRICS_TOKEN", default="")
if env.str("PROMETHEUS_MULTIPROC_DIR", default=""):
    Path(env.str("PROMETHEUS_MULTIPROC_DIR")).mkdir(parents=True, exist_ok=True)
# The system page turns red when the worker or beat has not been seen (or a periodic task is late) for this long,
# when the oldest due affiliate postback has waited this long, or when the rollups lag this far behind.
TALLY_HEARTBEAT_STALE_SECONDS = env.int("TALLY_HEARTBEAT_STALE_SECONDS", default=180)
TALLY_OUTBOX_STALE_SECONDS = env.int("TALLY_OUTBOX_STALE_SECONDS", default=900)
TALLY_ROLLUP_STALE_SECONDS = env.int("TALLY_ROLLUP_STALE_SECONDS", default=300)
# Health probes and Prometheus may reach the server over plain HTTP even when DJANGO_HTTPS redirects the rest.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Log lines: "plain" (time, level, logger, request ID, message) or "json" (one JSON object per line, core/logs.py).
# Either carries the request ID of the web request, also into the Celery tasks it causes.
TALLY_LOG_FORMAT = env.str("TALLY_LOG_FORMAT", default="plain")
if TALLY_LOG_FORMAT not in ("plain", "json"):
    raise environ.ImproperlyConfigured("TALLY_LOG_FORMAT must be plain or json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "core.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "core.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": TALLY_LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="WARNING")},
}
