"""Backups as docs/deploy.md prescribes them, with the standard tools: pg_dump and
pg_restore on PostgreSQL, the sqlite3 shell's .backup and .restore for the
embedded default. Restored into an empty database, a backup holds the same rows
in every table (the history included) and readers see the same pages."""

import json
import shutil
import subprocess
import sys
from urllib.parse import urlparse

import pytest

from .conftest import require_service
from .database_contents import PAGES
from .postgres import scratch_database
from .subprocesses import ROOT, clean_environment

pytestmark = pytest.mark.slow

DEBATE = "/debates/nato-response-to-russian-airspace-violations/"
assert DEBATE in PAGES

# The tables of django-simple-history: who changed what, and when.
HISTORY = [
    "tracker_historicalactor", "tracker_historicaldebate", "tracker_historicalevidence",
    "tracker_historicalfeed", "tracker_historicalflag", "tracker_historicalposition",
    "tracker_historicalproposal",
]  # fmt: skip


def run(command, env=None):
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{command}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout


def environment(data_dir, database_url=None):
    extra = {"DATABASE_URL": database_url} if database_url else {}
    return clean_environment(data_dir, DJANGO_SETTINGS_MODULE="config.settings", DEBUG="1", **extra)


def manage(env, *args):
    return run([sys.executable, "manage.py", *args], env)


# A morning at the desk after the demo is loaded: a flag claimed, one dismissed, a
# feed added and renamed, a published position retracted; each a version in the history.
DESK_DAY = """
from django.contrib.auth.models import User
from tracker import desk
from tracker.models import Feed, Flag, Position
editor, publisher = User.objects.get(username="editor"), User.objects.get(username="publisher")
first, second = Flag.objects.order_by("id").values_list("id", flat=True)[:2]
desk.claim_flags(editor, [first])
desk.dismiss_flags(editor, [second], "Not about the debate")
feed = Feed.objects.create(url="https://news.example.org/world.rss", title="World")
feed.title = "World news"
feed.save()
position = Position.objects.filter(status="published").order_by("id").first()
desk.retract(position, publisher, "Misattributed: the minister spoke for the party")
"""


def seeded(env):
    """A database with the demo's debate, the desk's logins, flags, and history."""
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "seed_demo")
    manage(env, "shell", "-c", DESK_DAY)


def contents(env):
    return json.loads(run([sys.executable, "-m", "tests.database_contents"], env))


def assert_same(original, restored):
    tables = original["tables"]
    print(f"{len(tables)} tables, {sum(count for count, _ in tables.values())} rows")
    print("history rows:", {name: tables[name][0] for name in HISTORY})
    # What was there: a table for every model, the history not empty.
    assert set(original["modelled"]) <= set(tables)
    assert all(tables[name][0] > 0 for name in HISTORY)
    assert tables["auth_user"][0] == 2  # the demo's editor and publisher
    # What came back: the same rows everywhere, the same pages byte for byte.
    assert restored["tables"] == tables
    assert "Misattributed: the minister spoke for the party" in original["pages"][DEBATE][1]
    for path, (status, page) in original["pages"].items():
        assert status == 200, path
        assert restored["pages"][path] == [status, page], path


def assert_restored(original, restored_env):
    assert_same(original, contents(restored_env))
    # The restored database is current and takes new rows: the migrations' record
    # and (on PostgreSQL) the sequences came back with the data.
    manage(restored_env, "migrate", "--check")
    new_user = "from django.contrib.auth.models import User; User.objects.create_user('restored')"
    manage(restored_env, "shell", "-c", new_user)


def test_a_postgresql_backup_restored_into_an_empty_database_is_the_same(tmp_path):
    require_service("pg_dump", shutil.which("pg_dump") and shutil.which("pg_restore"))
    dump = tmp_path / "tracker.dump"
    with (
        scratch_database("backup") as source_url,
        scratch_database("restore", create=False) as target_url,
    ):
        source = environment(tmp_path / "source", source_url)
        seeded(source)
        original = contents(source)

        run(["pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source_url}"])
        target = urlparse(target_url)
        run([
            "createdb", "-h", target.hostname, "-p", str(target.port or 5432),
            "-U", target.username or "postgres", target.path.lstrip("/"),
        ])  # fmt: skip
        run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target_url}", str(dump)])

        assert_restored(original, environment(tmp_path / "restored", target_url))


def test_an_sqlite_backup_restored_into_an_empty_data_directory_is_the_same(tmp_path):
    require_service("the sqlite3 shell", shutil.which("sqlite3"), "apt-get install sqlite3")
    source = environment(tmp_path / "source")
    seeded(source)
    original = contents(source)

    backup = tmp_path / "tracker-backup.sqlite3"
    run(["sqlite3", str(tmp_path / "source" / "tracker.sqlite3"), f".backup '{backup}'"])
    (tmp_path / "restored").mkdir()
    run(["sqlite3", str(tmp_path / "restored" / "tracker.sqlite3"), f".restore '{backup}'"])

    assert_restored(original, environment(tmp_path / "restored"))
