"""Real services of a test's own for fault tests: a Redis server and a
PostgreSQL cluster it may stop and start, beat, gunicorn, and a feed server
standing in for many feeds. Each stops only the processes it started."""

import atexit
import http.cookiejar
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from tracker.models import CoverageItem, Feed

from .conftest import require_service
from .feedserver import Route, rss
from .workers import running, running_worker, stop, worker_env

ROOT = Path(settings.BASE_DIR)


def say(what, detail):
    """What a fault test injected or checked, for its output."""
    print(f"{what}: {detail}", flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"{what} (after {seconds} s)")


def answers(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """redis-server on a free port, keeping nothing on disk: stopping it loses
    every queued message, the worst a broker can do."""

    def __init__(self, folder):
        self.binary = shutil.which("redis-server")
        require_service("redis-server", self.binary, "a broker of the test's own")
        self.folder = folder
        self.port = free_port()
        self.process = None

    def url(self, db=0):
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        self.process = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(lambda: answers(self.port), 10, "redis-server did not start")

    def stop(self):
        stop(self.process)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()


def beat(env, log_path, folder):
    return running(
        [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel", "info",
         "--schedule", str(folder / "beat-schedule")],
        env, log_path,
    )  # fmt: skip


PREFORK = ("--pool", "prefork", "--concurrency", "2")


def fetch_env(tmp_path, broker_url, **extra):
    """A worker's (or beat's, or gunicorn's) environment on the test's database
    and the given broker, allowed to fetch from the feed server; extra wins."""
    env = worker_env(tmp_path)
    env.update(REDIS_URL=broker_url, TRACKER_FEED_ALLOWED_NETWORKS="127.0.0.2/32", **extra)
    return env


def kill_group(process):
    """SIGKILL a worker started in a session of its own, children included."""
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


# A feed farm: FEEDS feeds of ITEMS items each, every item its own story (no
# two alike, so none is clustered as a copy of another), every third one
# matching the `watched` debate's query (NATO AND @russia AND drone*).
SYLLABLES = ["ka", "lo", "mi", "ter", "vu", "san", "or", "pel", "di", "rhu", "gan", "te"]


def farm_word(rng):
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def farm_item(feed, n):
    rng = random.Random(feed * 1000 + n)
    title = " ".join(farm_word(rng) for _ in range(8)).capitalize() + f" {feed}-{n}"
    words = [farm_word(rng) for _ in range(40)]
    if n % 3 == 0:
        words[10:10] = ["NATO", "allies", "watch", "Kremlin", "drones"]
    link = f"https://farm.example/{feed}/{n}"
    return title, link, " ".join(words) + "."


def matching(items):
    """How many of a feed's first `items` items the watched debate's query matches."""
    return len(range(0, items, 3))


def serve_farm(server, feeds, items, stall=None):
    """Route /farm/<i>.xml for each of `feeds` feeds, each answering after
    `stall` seconds; returns their URLs."""
    urls = []
    for feed in range(feeds):
        path = f"/farm/{feed}.xml"
        server.routes[path] = Route(
            body=rss(*(farm_item(feed, n) for n in range(items)), title=f"Farm {feed}"),
            stall=stall,
        )
        urls.append(server.url(path))
    return urls


def farm_feeds(server, feeds, items, stall=None):
    """The farm served and its feeds registered, all due now."""
    urls = serve_farm(server, feeds, items, stall)
    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=timezone.now()) for url in urls])
    return urls


def farm_fetched(feeds, items):
    """Whether every farm feed was fetched and stored, and none is still held."""
    return (
        CoverageItem.objects.count() == feeds * items
        and not Feed.objects.exclude(fetch_token="").exists()
        and not Feed.objects.filter(last_success_at=None).exists()
    )


def farm_requests(server):
    """How many times each farm feed was fetched."""
    return Counter(path for path, _ in list(server.requests) if path.startswith("/farm/"))


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb into a temporary folder),
    so the test may restart it; the shared server is never touched. As root it
    runs as the postgres user, since initdb refuses root."""

    def __init__(self):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        binary = found[-1].parent if found else None
        if binary is None and shutil.which("initdb"):
            binary = Path(shutil.which("initdb")).resolve().parent
        require_service("PostgreSQL's initdb and pg_ctl", binary, "a cluster of the test's own")
        self.bin = binary
        self.folder = Path(tempfile.mkdtemp(prefix="pdt-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    def url(self, name="tracker"):
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command):
        subprocess.run([*self.as_postgres, *command], check=True, capture_output=True, timeout=120)

    def pg_ctl(self, action, *options):
        self._run(
            str(self.bin / "pg_ctl"), action, "-D", str(self.data), "-w", "-t", "60",
            "-l", str(self.folder / "server.log"), *options,
        )  # fmt: skip

    def start(self):
        self.pg_ctl(
            "start",
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off",
        )

    def restart(self):
        """A fast restart: every connection is cut, in-flight transactions roll back."""
        self.pg_ctl("restart", "-m", "fast")

    def __enter__(self):
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8",
        )  # fmt: skip
        self.start()
        self._run(str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                  "-U", "postgres", "tracker")  # fmt: skip
        return self

    def __exit__(self, *exc):
        try:
            self.pg_ctl("stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def manage(env, *args, timeout=180):
    """Run a manage.py command of the project's in a process with env."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, f"manage.py {args[0]} failed:\n{result.stderr[-3000:]}"
    return result.stdout


def production_env(base, static_root, **extra):
    """A web process's environment as a deployment sets it (DEBUG off), on plain
    HTTP to 127.0.0.1, so cookies are not marked Secure."""
    return {
        **base,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(static_root),
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # Readers here are a few threads on one address, reading all the time.
        "API_RATE": "100000/minute",
        **extra,
    }


@contextmanager
def web(env, log_path):
    """gunicorn serving the tracker as the Procfile does (2 workers, 4 threads)."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", "2", "--threads", "4", "--timeout", "30",
    ]  # fmt: skip
    with running(command, env, log_path) as process:
        wait_for(lambda: answers(port) or process.poll() is not None, 60, "gunicorn did not start")
        assert process.poll() is None, log_path.read_text()[-3000:]
        yield f"http://127.0.0.1:{port}"


def production_password(user, password):
    """Give a user a password hashed as production hashes it (the suite's own
    settings use a fast hasher that production does not accept)."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt())
    user.save(update_fields=["password"])
    return user


class _KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the test sees the 302 itself


class Visitor:
    """A reader or an editor over HTTP, keeping cookies. Every request returns
    its status (a refused connection is 0) and body."""

    def __init__(self, base):
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _KeepRedirects
        )

    def request(self, path, data=None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        except (urllib.error.URLError, OSError):
            return 0, ""

    def csrf(self, page):
        status, body = self.request(page)
        assert status == 200, (page, status)
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)

    def log_in(self, username, password):
        token = self.csrf("/admin/login/")
        status, _ = self.request(
            "/admin/login/?next=/admin/",
            {"csrfmiddlewaretoken": token, "username": username, "password": password},
        )
        assert status == 302, "the login failed"


class Readers:
    """Threads reading pages over and over until stopped; every answer is kept
    as (monotonic time, page, status)."""

    def __init__(self, base, pages, threads=2):
        self.pages, self.answers = pages, []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self._read, args=(Visitor(base),), daemon=True)
            for _ in range(threads)
        ]

    def _read(self, visitor):
        while not self.stopping.is_set():
            for page in self.pages:
                status, _ = visitor.request(page)
                self.answers.append((time.monotonic(), page, status))

    def failures(self, since=0.0, until=float("inf")):
        return [a for a in list(self.answers) if since <= a[0] <= until and a[2] != 200]

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=40)


READER_PAGES = [
    "/", "/debates/airspace/", "/debates/airspace/feed/", "/actors/estonia/",
    "/export/positions.csv", "/api/v1/positions/",
]  # fmt: skip


def scaled_down():
    """Recovery timings a sixth of the defaults, for tests that are not about them."""
    return {
        "TRACKER_FEED_LEASE": "10",
        "TRACKER_DISPATCH_INTERVAL": "5",
        "TRACKER_DISPATCH_SPREAD": "5",
        "CELERY_VISIBILITY": "10",
        "CELERY_RESTORE_INTERVAL": "2",
    }


_static = {}


def collected_static():
    """STATIC_ROOT with collectstatic's output, as production serves it; made once."""
    if "root" not in _static:
        root = Path(tempfile.mkdtemp(prefix="pdt-static-"))
        atexit.register(shutil.rmtree, root, True)
        env = worker_env(root, DEBUG="0", TRACKER_LOCAL_ENV="", STATIC_ROOT=str(root / "static"))
        manage(env, "collectstatic", "--noinput", "-v0")
        _static["root"] = root / "static"
    return _static["root"]


@contextmanager
def deployment(env, folder):
    """The tracker as production runs it, all on env: gunicorn (DEBUG off), beat,
    a prefork worker on every queue, and readers reading READER_PAGES."""
    worker_log = folder / "worker.log"
    with (
        web(production_env(env, collected_static()), folder / "web.log") as site,
        beat(env, folder / "beat.log", folder),
        running_worker(env, "celery,fetch,cpu", worker_log, options=PREFORK) as worker,
        Readers(site, READER_PAGES) as readers,
    ):
        yield SimpleNamespace(site=site, worker=worker, log=worker_log, readers=readers)
