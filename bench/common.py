"""What every benchmark here shares: Django on a throwaway database, timing,
and printing a figure beside its baseline."""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def median_get_ms(client, paths, ok=(200,), **headers):
    """GET each path in turn with Django's test client: the median time in
    milliseconds. Every answer must have one of the `ok` statuses."""
    times = []
    for path in paths:
        response, seconds = timed(lambda path=path: client.get(path, **headers))
        times.append(seconds)
        assert response.status_code in ok, (path, response.status_code)
    return statistics.median(times) * 1000


def line(name, ours, baseline=None, unit="", note=""):
    text = f"{name:<8} {ours}"
    if baseline is not None:
        text += f"   baseline {baseline}"
    if unit:
        text += f"   {unit}"
    if note:
        text += f"   {note}"
    print(text, flush=True)


def setup_django(database_url=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-that-is-long-enough-to-pass-checks")
    os.environ.setdefault("TRACKER_DATA_DIR", str(ROOT / "var" / "bench"))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()


def migrate():
    """The schema on the throwaway database. Static files are served from the
    source tree: no collectstatic here, so plain storage instead of the manifest."""
    from django.conf import settings
    from django.core.management import call_command

    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)


def create_database(name=None):
    import psycopg

    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    server = base.rsplit("/", 1)[0]
    # BENCH_DATABASE names it when the server is shared and names are assigned.
    name = name or os.environ.get("BENCH_DATABASE") or f"pdt_bench_{os.getpid()}"
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server, name


def drop_database(server, name):
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def watched_debate():
    """Russia, and a debate whose watch query matches drone stories about it:
    what the ingest benches flag against."""
    from tracker.models import Actor, Debate

    Actor.objects.create(
        kind="country", name="Russia", slug="russia", country="RU", aliases=["Kremlin"]
    )
    Debate.objects.create(
        title="Airspace", slug="airspace", question="How should allies answer Russian drones?",
        low_label="low", high_label="high", status="active",
        watch_query="(NATO OR allies) AND (@russia OR drone*)",
    )  # fmt: skip
