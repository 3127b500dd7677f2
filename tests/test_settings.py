"""The settings module refuses unsafe production configurations and picks the
right services from the environment."""

import shutil
import stat
import subprocess
import sys

import pytest

from .conftest import require_service
from .subprocesses import ROOT, clean_environment, run_settings


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off(tmp_path):
    result = run_settings(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_refuses_a_short_secret_key_in_production(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="short")
    assert result.returncode != 0
    assert "too short" in result.stderr


def test_debug_runs_with_a_development_key(tmp_path):
    result = run_settings(tmp_path, code="print(settings.SECRET_KEY)", DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("insecure-development-key")


def test_the_embedded_default_is_sqlite_and_the_filesystem_broker(tmp_path):
    code = (
        "print(settings.DATABASES['default']['NAME']); print(settings.CELERY_BROKER_URL);"
        "print(settings.CELERY_BROKER_TRANSPORT_OPTIONS['data_folder_in'])"
    )
    result = run_settings(tmp_path, code=code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    db, broker, folder = result.stdout.split()
    assert db == str(tmp_path / "tracker.sqlite3")
    assert broker == "filesystem://localhost/"
    assert folder.startswith(str(tmp_path))


def test_database_and_redis_urls_select_the_real_services(tmp_path):
    code = "print(settings.DATABASES['default']['ENGINE']); print(settings.CELERY_BROKER_URL)"
    result = run_settings(
        tmp_path,
        code=code,
        DEBUG="1",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/tracker",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://127.0.0.1:6379/3",
    ]


def test_production_cookies_are_secure(tmp_path):
    code = "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    result = run_settings(tmp_path, code=code, SECRET_KEY="x" * 50)
    assert result.stdout.split() == ["True", "True"]


def test_no_task_stores_its_result():
    from celery.backends.base import DisabledBackend

    import tracker.tasks  # noqa: F401  (registers the tasks)
    from config.celery import app

    ours = [task for name, task in app.tasks.items() if name.startswith("tracker.tasks.")]
    assert len(ours) >= 7  # every task in tracker/tasks.py, as Celery registered it
    assert {task.name for task in ours if not task.ignore_result} == set()
    assert isinstance(app.backend, DisabledBackend)


def test_the_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    code = (
        "from django.db import connection; cursor = connection.cursor();"
        "print(cursor.execute('PRAGMA journal_mode').fetchone()[0]);"
        "print(cursor.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    result = run_settings(tmp_path, code=code, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def write_local_env_with_make(path):
    require_service("make", shutil.which("make"))
    result = subprocess.run(
        ["make", "--no-print-directory", f"LOCAL_ENV={path}", str(path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


def test_manage_py_works_in_a_fresh_shell_with_the_local_settings_make_writes(tmp_path):
    local_env = write_local_env_with_make(tmp_path / "local.env")
    assert stat.S_IMODE(local_env.stat().st_mode) == 0o600
    lines = local_env.read_text().splitlines()
    assert "DEBUG=1" in lines
    (secret,) = [line.removeprefix("SECRET_KEY=") for line in lines if "SECRET_KEY=" in line]
    assert len(secret) >= 50

    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=clean_environment(tmp_path, TRACKER_LOCAL_ENV=str(local_env)),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_never_overwrites_the_local_settings(tmp_path):
    local_env = tmp_path / "local.env"
    local_env.write_text("DEBUG=0\nSECRET_KEY=" + "k" * 50 + "\n")
    write_local_env_with_make(local_env)
    assert local_env.read_text() == "DEBUG=0\nSECRET_KEY=" + "k" * 50 + "\n"


def test_the_local_settings_fill_in_what_the_environment_does_not_set(tmp_path):
    local_env = tmp_path / "local.env"
    local_env.write_text("# a comment\n\nDEBUG=1\nSECRET_KEY=from-the-file-" + "f" * 40 + "\n")
    code = "print(settings.DEBUG, settings.SECRET_KEY)"
    result = run_settings(tmp_path, code=code, TRACKER_LOCAL_ENV=str(local_env))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "from-the-file-" + "f" * 40]


def test_environment_variables_win_over_the_local_settings(tmp_path):
    local_env = tmp_path / "local.env"
    local_env.write_text("DEBUG=1\nSECRET_KEY=from-the-file-" + "f" * 40 + "\n")
    code = "print(settings.DEBUG, settings.SECRET_KEY, settings.SESSION_COOKIE_SECURE)"
    result = run_settings(
        tmp_path,
        code=code,
        TRACKER_LOCAL_ENV=str(local_env),
        DEBUG="0",
        SECRET_KEY="from-the-environment-" + "e" * 40,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "from-the-environment-" + "e" * 40, "True"]


def test_the_cache_is_never_the_brokers_redis(tmp_path):
    code = (
        "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default'].get('LOCATION'))"
    )
    broker_only = run_settings(tmp_path, code=code, DEBUG="1", REDIS_URL="redis://h:6379/0")
    assert broker_only.stdout.split() == ["django.core.cache.backends.locmem.LocMemCache", "None"]
    own = run_settings(
        tmp_path, code=code, DEBUG="1", REDIS_URL="redis://h:6379/0", CACHE_URL="redis://h:6379/1"
    )
    assert own.stdout.split() == ["tracker.cache.FailSoftRedisCache", "redis://h:6379/1"]
    same = run_settings(
        tmp_path, code=code, DEBUG="1", REDIS_URL="redis://h:6379/0", CACHE_URL="redis://h:6379/0"
    )
    assert same.returncode != 0
    assert "CACHE_URL must not be the broker's REDIS_URL" in same.stderr


def test_a_yes_no_variable_that_is_neither_is_an_error_naming_it(tmp_path):
    result = run_settings(tmp_path, SECRET_KEY="x" * 50, SESSION_COOKIE_SECURE="ture")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SESSION_COOKIE_SECURE='ture' is not a yes/no value" in (
        result.stderr
    )


def test_yes_no_variables_take_the_usual_spellings_in_any_case(tmp_path):
    code = (
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SECURE_SSL_REDIRECT, settings.SECURE_PROXY_SSL_HEADER is not None)"
    )
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT"]
    names.append("USE_X_FORWARDED_PROTO")
    one = dict(zip(names, ["On", "Yes", "off", "TRUE", "0"], strict=True))
    other = dict(zip(names, ["1", "NO", "on", "False", "yes"], strict=True))
    one, other = (
        run_settings(tmp_path, code=code, **one),
        run_settings(tmp_path, code=code, **other),
    )
    assert one.returncode == 0, one.stderr
    assert other.returncode == 0, other.stderr
    assert one.stdout.split() == ["True", "True", "False", "True", "False"]
    assert other.stdout.split() == ["True", "False", "True", "False", "True"]


def test_an_empty_yes_no_variable_is_as_if_unset(tmp_path):
    code = "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"
    result = run_settings(
        tmp_path, code=code, SECRET_KEY="x" * 50, DEBUG="", SESSION_COOKIE_SECURE=""
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_reading_the_settings_creates_no_folder(tmp_path):
    data = tmp_path / "data"
    result = run_settings(tmp_path, DEBUG="1", TRACKER_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert not data.exists()


def test_the_embedded_database_and_broker_make_their_folders_when_used(tmp_path):
    data = tmp_path / "data"
    code = (
        "from config.celery import app; app.conf.broker_url;"
        "from django.db import connection; connection.ensure_connection()"
    )
    result = run_settings(tmp_path, code=code, DEBUG="1", TRACKER_DATA_DIR=str(data))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in data.iterdir()) == ["broker", "tracker.sqlite3"]
    assert sorted(path.name for path in (data / "broker").iterdir()) == [
        "control",
        "processed",
        "queue",
    ]


def test_the_digest_hour_sets_the_beat_schedule(tmp_path):
    code = (
        "print(settings.TRACKER_DIGEST_HOUR,"
        " *settings.CELERY_BEAT_SCHEDULE['daily-digest']['schedule'].hour)"
    )
    result = run_settings(tmp_path, code=code, DEBUG="1", TRACKER_DIGEST_HOUR="5")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["5", "5"]


HSTS_CODE = (
    "print(settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS, "
    "settings.SECURE_HSTS_PRELOAD, ','.join(settings.SILENCED_SYSTEM_CHECKS) or '-')"
)


def test_hsts_is_off_unless_asked_for(tmp_path):
    result = run_settings(tmp_path, code=HSTS_CODE, DEBUG="1")
    assert result.stdout.split() == ["0", "False", "False", "-"]


def test_hsts_for_a_year_brings_subdomains_and_preload_unless_turned_off(tmp_path):
    on = run_settings(tmp_path, code=HSTS_CODE, DEBUG="1", SECURE_HSTS_SECONDS="31536000")
    assert on.stdout.split() == ["31536000", "True", "True", "-"]
    chosen = run_settings(
        tmp_path,
        code=HSTS_CODE,
        DEBUG="1",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="0",
    )
    # Turning subdomains off is a choice: its deployment warning is silenced, no other.
    assert chosen.stdout.split() == ["31536000", "False", "True", "security.W005"]


@pytest.mark.parametrize(
    "site_url, warned",
    [
        ("http://127.0.0.1:8000", True),  # the development default
        ("https://localhost", True),
        ("http://tracker.example.org", True),  # readers would be sent to plain http
        ("https://tracker.example.org", False),
        ("https://tracker.example.org/desk", False),
    ],
)
def test_the_deployment_check_names_a_site_address_readers_cannot_use(settings, site_url, warned):
    from tracker.checks import site_url_is_public

    settings.TRACKER_SITE_URL = site_url
    assert [w.id for w in site_url_is_public(None)] == (["tracker.W001"] if warned else [])
