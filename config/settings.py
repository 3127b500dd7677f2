"""Settings for Policy Debate Tracker, all driven by environment variables.

With no variables set the tracker runs embedded: SQLite and Celery's filesystem
transport under the data directory, so web, worker and beat need no server.
Production sets DATABASE_URL (PostgreSQL) and REDIS_URL.

On a development machine `make install` writes a git-ignored local.env
(DEBUG=1 and a generated SECRET_KEY) so manage.py works in any shell; its
values are defaults only, and variables set in the environment always win.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


BOOLEANS = {
    **dict.fromkeys(("1", "true", "yes", "on"), True),
    **dict.fromkeys(("0", "false", "no", "off"), False),
}


def envbool(name, default=False):
    """A yes/no variable; a value that is neither (a typo like "ture") is an
    error rather than a silent False."""
    value = os.environ.get(name, "")
    if not value.strip():  # unset, or set to nothing
        return default
    try:
        return BOOLEANS[value.strip().lower()]
    except KeyError:
        raise ImproperlyConfigured(
            f"{name}={value!r} is not a yes/no value: use one of {', '.join(BOOLEANS)}."
        ) from None


def envint(name, default):
    return int(os.environ.get(name, default))


def envlist(name, default=""):
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


def read_local_env(path):
    """KEY=VALUE lines of a local settings file; blank lines and # comments skipped."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip("'\"")
    return values


# Set into os.environ (without overriding) so the worker and beat processes a
# command starts see the same defaults.
LOCAL_ENV_FILE = os.environ.get("TRACKER_LOCAL_ENV", str(BASE_DIR / "local.env"))
if LOCAL_ENV_FILE and Path(LOCAL_ENV_FILE).is_file():
    for key, value in read_local_env(Path(LOCAL_ENV_FILE)).items():
        os.environ.setdefault(key, value)

# Nothing is created on import: the SQLite backend (config/sqlite3) makes the
# data directory when it connects, the Celery app the broker's folders
# (config/celery.py), seed_demo the logins file's, collectstatic STATIC_ROOT.
DATA_DIR = Path(os.environ.get("TRACKER_DATA_DIR", BASE_DIR / "var")).resolve()

DEBUG = envbool("DEBUG")

# A placeholder key is tolerated only while DEBUG is on; a production process
# that forgot SECRET_KEY must not start with a key anyone can read on GitHub.
INSECURE_KEY_PREFIX = "insecure-development-key"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = f"{INSECURE_KEY_PREFIX}-do-not-use-in-production"
elif not DEBUG and (SECRET_KEY.startswith(INSECURE_KEY_PREFIX) or len(SECRET_KEY) < 32):
    raise ImproperlyConfigured("SECRET_KEY is too short or a known placeholder.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # First, so that its admin/base_site.html (the panel's own style sheet on
    # every page) is found before the admin's.
    "tracker",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.sitemaps",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tracker.public.middleware.RefuseNulCharactersMiddleware",
    "tracker.public.middleware.SiteAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "tracker.public.middleware.PublicSecurityHeadersMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout answer.
    "axes.middleware.AxesMiddleware",
]

# Login brute-force protection: after AXES_FAILURE_LIMIT failures for one
# username from one address, that pair is locked out for AXES_COOLOFF_TIME hours.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind N proxies the client's address is the Nth from the right in
# X-Forwarded-For; with none the header is the client's own words and ignored.
# Login lockouts and the API's rate limit both read this one number, by one rule
# (config/proxies.py; the API's NUM_PROXIES below).
TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_address"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# Database: PostgreSQL when DATABASE_URL is set, otherwise an SQLite file in
# WAL mode with a busy timeout, so the web process and a worker can both write.
SQLITE_PATH = DATA_DIR / "tracker.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
SQLITE_ENGINE = "config.sqlite3"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["ENGINE"] = SQLITE_ENGINE
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        # Take the write lock at BEGIN, so concurrent writers wait on the busy
        # timeout instead of failing with "database is locked" mid-transaction.
        "transaction_mode": "IMMEDIATE",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security: production (DEBUG off) gets secure cookies; HTTPS redirection is up
# to the proxy unless SECURE_SSL_REDIRECT is set.
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT")
# Strict-Transport-Security, for a site served only over HTTPS: browsers then refuse
# plain HTTP for this long. Off by default, since it cannot be taken back quickly.
# With it on, subdomains and the preload directive follow unless turned off by
# their own variable; turning one off is a deliberate choice, so its deploy
# check is silenced.
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", SECURE_HSTS_SECONDS > 0)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen_off in (
        ("security.W005", SECURE_HSTS_SECONDS and not SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD),
    )
    if chosen_off
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if envbool("USE_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def filesystem_broker_options(folder):
    """Kombu's filesystem transport, its queue and control files below folder."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "processed_folder": str(folder / "processed"),
        "control_folder": str(folder / "control"),
        "store_processed": False,
    }


# Celery: Redis when REDIS_URL is set, otherwise the filesystem transport in the
# data directory. Results are never read, so they are not stored.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_DATA_DIR = DATA_DIR / "broker"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # kombu's Redis transport, with a fix so that a worker that lost Redis
    # reconnects instead of exiting (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:RedisTransport"
    # A message taken by a worker that died goes back on the queue after the
    # visibility timeout; live workers keep theirs hidden however long a task
    # runs (config/celery.py), and every worker sweeps for such messages every
    # interval * throttle seconds.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": envint("CELERY_VISIBILITY", 60),
        "unacked_restore_interval": envint("CELERY_RESTORE_INTERVAL", 10),
        "unacked_restore_throttle": envint("CELERY_RESTORE_THROTTLE", 1),
    }
else:
    # The transport ignores the host; naming one keeps kombu from warning that
    # none was supplied each time a worker opens a connection.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(CELERY_DATA_DIR)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULER = "config.celery:PersistentScheduler"
CELERY_TASK_ROUTES = {
    "tracker.tasks.fetch_feed": {"queue": "fetch"},
    "tracker.tasks.rematch_debate": {"queue": "cpu"},
    "tracker.tasks.train_relevance": {"queue": "cpu"},
}
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Every queue the tracker's tasks go to.
TRACKER_QUEUES = sorted(
    {CELERY_TASK_DEFAULT_QUEUE, *(route["queue"] for route in CELERY_TASK_ROUTES.values())}
)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task cut off by a lost broker connection is redelivered, not left hanging.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Publishing must not hang a web request when the broker is down: the
# dispatcher finds due feeds again once it is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0.2, "interval_step": 0.2}
# The hour (in TIME_ZONE) of the daily digest.
TRACKER_DIGEST_HOUR = envint("TRACKER_DIGEST_HOUR", 7)
# How often beat queues the due fetches; with TRACKER_FEED_LEASE it bounds how
# long a dead worker's feeds wait.
TRACKER_DISPATCH_INTERVAL = envint("TRACKER_DISPATCH_INTERVAL", 30)
CELERY_BEAT_SCHEDULE = {
    "dispatch-due-feeds": {
        "task": "tracker.tasks.dispatch_due_feeds",
        "schedule": float(TRACKER_DISPATCH_INTERVAL),
    },
    "daily-digest": {
        "task": "tracker.tasks.send_digests",
        "schedule": crontab(hour=TRACKER_DIGEST_HOUR, minute=0),
    },
    # Reader alerts: each reader at most once a day (tracker/alerts.py).
    "reader-alerts": {"task": "tracker.tasks.send_alerts", "schedule": 300.0},
    "relevance-training": {"task": "tracker.tasks.queue_relevance_training", "schedule": 60.0},
    # A heartbeat down every queue, recorded under the queue's name by whichever
    # worker consumes it: /healthz names a queue nobody consumes. One not taken
    # within the minute expires: a worker that comes back runs no backlog of them.
    **{
        f"heartbeat-{queue}": {
            "task": "tracker.tasks.record_heartbeat",
            "schedule": 60.0,
            "args": (queue,),
            "options": {"queue": queue, "expires": 60},
        }
        for queue in TRACKER_QUEUES
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

REST_FRAMEWORK = {
    "DEFAULT_FILTER_BACKENDS": ["tracker.api.filters.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "tracker.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "tracker.api.errors.NamedFormatNegotiation",
    "EXCEPTION_HANDLER": "tracker.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_RATE", "120/minute")},
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Policy Debate Tracker API",
    "DESCRIPTION": "Read-only: debates, proposals, actors, published positions and evidence. "
    "A filter value that names nothing published, or a parameter an endpoint does not read, "
    "is a 400 that names the parameter.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The documentation page's Swagger UI is served from /static/, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "tracker.api.schema.document_errors",
    ],
}

# The cache holds rendered public pages and the API's rate-limit counts. It is
# never the broker's Redis: CACHE_URL names its own server or database number
# (e.g. redis://host:6379/1; give that Redis a maxmemory and an LRU policy).
# Without it each process keeps a bounded cache in memory. An unreachable cache
# is a miss (tracker/cache.py): slower, never down. Rendered pages go through
# the "pages" alias: the same store (the in-memory caches name no LOCATION, so
# they share one), under keys of their own.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL and CACHE_URL == REDIS_URL:
    raise ImproperlyConfigured("CACHE_URL must not be the broker's REDIS_URL.")
CACHES = {
    "default": (
        {
            "BACKEND": "tracker.cache.FailSoftRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
        if CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 1000},
        }
    )
}
CACHES["pages"] = {**CACHES["default"], "KEY_PREFIX": "pages"}
# With CACHE_URL, each web process also keeps copies of the pages it served
# lately, up to this many megabytes (0: none), so a popular page costs no trip
# to Redis; a change to published data reaches them at once (tracker/public/freshness.py).
TRACKER_PAGE_COPIES_MB = envint("TRACKER_PAGE_COPIES_MB", 32)

# The coverage monitor. Feeds on these networks may be fetched although they
# are not public (e.g. "10.0.5.0/24" for an intranet feed); empty by default.
TRACKER_FEED_ALLOWED_NETWORKS = envlist("TRACKER_FEED_ALLOWED_NETWORKS")
TRACKER_FEED_DEADLINE = float(os.environ.get("TRACKER_FEED_DEADLINE", "30"))
TRACKER_FEED_MAX_BYTES = envint("TRACKER_FEED_MAX_BYTES", 10 * 1024 * 1024)
TRACKER_FEED_MAX_FAILURES = envint("TRACKER_FEED_MAX_FAILURES", 8)
# The dispatcher (run by beat, every TRACKER_DISPATCH_INTERVAL seconds) spreads
# the fetches it queues over this many seconds.
TRACKER_DISPATCH_SPREAD = envint("TRACKER_DISPATCH_SPREAD", 30)
# A fetch holds its feed this many seconds and renews the hold every third of
# it while it runs: a worker that dies lets its feeds go within one lease, and
# the next dispatch hands them out again (tracker/ingest/polling.py).
TRACKER_FEED_LEASE = envint("TRACKER_FEED_LEASE", 60)
if TRACKER_FEED_LEASE < 3:
    raise ImproperlyConfigured("TRACKER_FEED_LEASE must be at least 3 seconds.")
if TRACKER_DISPATCH_SPREAD >= TRACKER_FEED_LEASE:
    raise ImproperlyConfigured(
        "TRACKER_DISPATCH_SPREAD must be shorter than TRACKER_FEED_LEASE: a reservation "
        "lasts one lease, and a fetch must start within it."
    )

# The daily digest of new flags to editors who follow debates (its hour is
# with the beat schedule above).
TRACKER_SITE_URL = os.environ.get("TRACKER_SITE_URL", "http://127.0.0.1:8000")
TRACKER_DIGEST_PERIOD = timedelta(days=1)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "tracker@localhost")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", 25)
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
# Alert sign-ups each client address may send (the API throttle's rule and format).
TRACKER_ALERT_SIGNUP_RATE = os.environ.get("TRACKER_ALERT_SIGNUP_RATE", "10/hour")

# Where seed_demo keeps the generated demo logins (never in the code).
DEMO_LOGINS_FILE = DATA_DIR / "demo-logins.json"
