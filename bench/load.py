"""Public pages under load: gunicorn (2 workers, 4 threads, as the Procfile
runs it) under `wrk` on 127.0.0.1 while a worker ingests the 200 real feeds of
../shared/corpora/news-feeds/ from a local HTTP server. Each page is measured
beside a hello-world Django view served by the same gunicorn in the same run.

  hello     a view that returns "hello, world" (this URLconf only), measured
            in turns with each page (3 rounds of a third of --seconds each)
  home      /
  debate    the debate page of a debate with 200 actors (bench/pages.py's)
  actor     an actor's page
  feed      the debate's Atom feed
  export    the positions export as CSV

Run:  .venv/bin/python bench/load.py [--seconds 30] [--connections 16] [--database NAME]
                                    [--corpus PATH]
Needs PostgreSQL (DATABASE_URL's server; a throwaway database is created and
dropped), redis-server (one of the bench's own, on a free port: broker and
cache) and wrk. Every process it starts is stopped at the end, and only those.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from common import ROOT, create_database, drop_database, setup_django

CORPUS = ROOT.parent / "shared" / "corpora" / "news-feeds"
FEED_HOST = "127.0.0.2"  # a loopback network the poller is allowed to fetch from
PAGES = [
    ("home", "/"),
    ("debate", "/debates/bench/"),
    ("actor", "/actors/c0/"),
    ("feed", "/debates/bench/feed/"),
    ("export", "/export/positions.csv"),
]


def hello(request):
    from django.http import HttpResponse

    return HttpResponse("hello, world")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, process, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"{what} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"{what} did not start within {seconds} s")


class Processes:
    """The processes this bench started, each in a session of its own, so that
    stopping one reaches its children (gunicorn's and celery's workers) and
    nothing else."""

    def __init__(self, folder):
        self.folder = folder
        self.started = []

    def start(self, name, command, env):
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop_all()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
        self.started.append((process, log))
        return process

    def stop_all(self):
        for process, _ in reversed(self.started):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process, log in reversed(self.started):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()


def site_env(folder, database_url, redis_port, spread):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="load_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]),
        TRACKER_LOCAL_ENV="",
        TRACKER_DATA_DIR=str(folder / "data"),
        SECRET_KEY="bench-secret-key-that-is-long-enough-to-pass-the-checks",
        DEBUG="0",
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(folder / "static"),
        DATABASE_URL=database_url,
        REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
        CACHE_URL=f"redis://127.0.0.1:{redis_port}/1",
        API_RATE="1000000/minute",
        TRACKER_FEED_ALLOWED_NETWORKS=f"{FEED_HOST}/32",
        # The fetches are spread over the whole measurement; a reservation and
        # a queued fetch outlast the spread.
        TRACKER_DISPATCH_SPREAD=str(spread),
        TRACKER_FEED_LEASE=str(spread + 60),
        CELERY_VISIBILITY=str(spread + 60),
    )
    return env


def serve_corpus(server, corpus):
    from tests.feedserver import Route

    urls = []
    for path in sorted(p for p in corpus.iterdir() if p.is_file()):
        server.routes[f"/{path.name}"] = Route(
            body=path.read_bytes(), headers={"Content-Type": "application/xml"}
        )
        urls.append(server.url(f"/{path.name}"))
    return urls


def know_the_outlets(corpus):
    """Import the corpus once and forget its items: the outlets stay, as on a
    desk that has run for a while. A new outlet moves the public change stamp,
    so a first ingest of 200 feeds makes every cached page stale about once a
    second (--new-outlets measures that)."""
    from django.db import transaction

    from tracker.ingest.files import import_files
    from tracker.models import CoverageItem

    known = CoverageItem.objects.order_by("-id").values_list("id", flat=True).first() or 0
    import_files([str(p) for p in sorted(corpus.iterdir()) if p.is_file()])
    with transaction.atomic():
        CoverageItem.objects.filter(id__gt=known).delete()


def register_feeds(urls):
    from django.utils import timezone

    from tracker.models import Feed

    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=timezone.now()) for url in urls])


def wrk(url, seconds, connections):
    result = subprocess.run(
        # A slow answer is a slow answer up to gunicorn's own timeout, not an error.
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", url],
        capture_output=True, text=True, timeout=seconds + 60,
    )  # fmt: skip
    out = result.stdout
    if result.returncode != 0:
        sys.exit(f"wrk failed on {url}:\n{out}{result.stderr}")

    def number(pattern):
        found = re.search(pattern, out)
        return found.group(1) if found else None

    def ms(text):
        value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    errors = int(number(r"Non-2xx or 3xx responses: (\d+)") or 0)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {
        "rps": float(number(r"Requests/sec:\s+([\d.]+)")),
        "p50": ms(number(r"\s50%\s+(\S+)")),
        "p99": ms(number(r"\s99%\s+(\S+)")),
        "requests": int(number(r"(\d+) requests in")),
        "errors": errors,
    }


ROUNDS = 3


def interleaved(hello_url, page_url, seconds, connections):
    """The hello-world view and a page in turns, ROUNDS times each, so both
    meet the same load from whatever else the machine runs. Requests per
    second over all rounds; p50 the median of the rounds', p99 the worst."""
    slice_seconds = max(1, round(seconds / ROUNDS))
    runs = {hello_url: [], page_url: []}
    for _ in range(ROUNDS):
        for url in runs:
            runs[url].append(wrk(url, slice_seconds, connections))
    return [
        {
            "rps": sum(r["requests"] for r in rounds) / (slice_seconds * ROUNDS),
            "p50": sorted(r["p50"] for r in rounds)[ROUNDS // 2],
            "p99": max(r["p99"] for r in rounds),
            "requests": sum(r["requests"] for r in rounds),
            "errors": sum(r["errors"] for r in rounds),
        }
        for rounds in runs.values()
    ]


def items_stored():
    from tracker.models import CoverageItem

    return CoverageItem.objects.count()


def outlets():
    # Each new outlet moves the public change stamp: every cached page is stale.
    from tracker.models import Outlet

    return Outlet.objects.count()


def show(name, figures, hello_rps=None):
    ratio = f"{figures['rps'] / hello_rps:5.2f}" if hello_rps else "  -  "
    more = ""
    if "ingested" in figures:
        more = f"   meanwhile {figures['ingested']:4d} items, {figures['outlets']:3d} new outlets"
    print(
        f"{name:<8} {figures['rps']:8.0f} req/s   p50 {figures['p50']:7.2f} ms   "
        f"p99 {figures['p99']:7.2f} ms   {ratio} x hello   errors {figures['errors']}{more}",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=30, help="per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--database", help="name of the throwaway database to create")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument(
        "--new-outlets",
        action="store_true",
        help="the worker meets the feeds' outlets for the first time",
    )
    args = parser.parse_args()
    for binary in ("wrk", "redis-server"):
        if not shutil.which(binary):
            sys.exit(f"{binary} is not installed")

    # Stopped from outside, it still stops what it started and drops its database.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))
    folder = Path(tempfile.mkdtemp(prefix="pdt-load-"))
    processes = Processes(folder)
    server, name = create_database(args.database)
    database_url = f"{server}/{name}"
    # The whole measurement: every page and hello beside it.
    spread = args.seconds * 2 * len(PAGES)
    failed = None
    try:
        redis_port = free_port()
        redis = processes.start(
            "redis",
            ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder)],
            os.environ,
        )  # fmt: skip
        wait_for_port(redis_port, redis, 10, "redis-server")
        env = site_env(folder, database_url, redis_port, spread)
        os.environ.update(env)
        setup_django(database_url)
        from django.core.management import call_command
        from django.db import connections
        from pages import build

        from tests.feedserver import FeedServer

        call_command("migrate", verbosity=0)
        call_command("collectstatic", "--noinput", verbosity=0)
        build(200)
        if not args.new_outlets:
            know_the_outlets(args.corpus)
        connections.close_all()

        web_port = free_port()
        web = processes.start(
            "web",
            [sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}",
             "--workers", "2", "--threads", "4", "--timeout", "30"],
            env,
        )  # fmt: skip
        wait_for_port(web_port, web, 60, "gunicorn")
        base = f"http://127.0.0.1:{web_port}"
        for _, path in [("hello", "/hello/"), *PAGES]:
            with urllib.request.urlopen(base + path, timeout=30) as response:
                assert response.status == 200, path

        with FeedServer(FEED_HOST) as feeds:
            register_feeds(serve_corpus(feeds, args.corpus))
            worker = processes.start(
                "worker",
                [sys.executable, "-m", "celery", "-A", "config", "worker",
                 "--queues", "celery,fetch,cpu", "--pool", "solo", "--loglevel", "info",
                 "--without-gossip", "--without-mingle", "--without-heartbeat"],
                env,
            )  # fmt: skip
            from tracker.tasks import dispatch_due_feeds

            dispatch_due_feeds.delay()
            print(
                f"gunicorn 2 workers x 4 threads; wrk -t2 -c{args.connections}, "
                f"{args.seconds} s per line in {ROUNDS} turns with hello; "
                f"a worker ingests {len(feeds.routes)} feeds "
                f"spread over {spread} s{', all outlets new' if args.new_outlets else ''}; "
                "PostgreSQL, Redis cache",
                flush=True,
            )
            hellos, results = {}, {}
            for label, path in PAGES:
                items, known = items_stored(), outlets()
                hellos[label], results[label] = interleaved(
                    base + "/hello/", base + path, args.seconds, args.connections
                )
                results[label]["ingested"] = items_stored() - items
                results[label]["outlets"] = outlets() - known
                show("hello", hellos[label])
                show(label, results[label], hellos[label]["rps"])
            if worker.poll() is not None:
                sys.exit(f"the worker exited with {worker.returncode}")
            print(f"items stored by the worker: {items_stored()}")
            if any(r["errors"] or not r["requests"] for r in (*hellos.values(), *results.values())):
                failed = folder
                sys.exit(f"errors under load: see the lines above and the logs in {folder}")
    finally:
        processes.stop_all()
        try:
            drop_database(server, name)
        finally:
            if not failed:
                shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
else:
    # gunicorn's processes import this module as their URLconf (load_settings.py).
    from django.urls import include, path

    urlpatterns = [path("hello/", hello), path("", include("config.urls"))]
