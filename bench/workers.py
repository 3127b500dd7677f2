"""Workers: how the fetch queue scales out. One worker process, then two, ingest
the same batch — the 200 real feeds of ../shared/corpora/news-feeds/ served by a
local HTTP server on 127.0.0.1 that adds 200 ms to every response — on Redis and
a throwaway PostgreSQL database; the figure is the time from dispatch until every
feed is stored and released, and two workers' speed as a multiple of one's.

Each worker is the Procfile's `fetch` process (`--queues fetch`), prefork with
--concurrency children. The dispatcher runs in this process with no spread
(TRACKER_DISPATCH_SPREAD=0): the whole batch is due at once, so the figure is
the workers' throughput, not the spread's pacing.

Run:  REDIS_URL=redis://127.0.0.1:6379/N .venv/bin/python bench/workers.py
      [--concurrency 4] [--latency 0.2] [--runs 1]
It uses (and empties) REDIS_URL's database; PostgreSQL is DATABASE_URL's server.
It stops by itself, and stops only the processes it started.
"""

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, create_database, drop_database, line, setup_django, watched_debate

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "news-feeds"
SECRET = "bench-secret-key-that-is-long-enough-to-pass-checks"  # noqa: S105 (throwaway)
BATCH_TIMEOUT = 900  # seconds: a batch that takes longer is a failure, not a figure


def production_env(database_url, redis_url, data_dir, **extra):
    """The environment of a deployed process: DEBUG off, no local settings file."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=SECRET,
        TRACKER_LOCAL_ENV=str(data_dir / "none.env"),
        TRACKER_DATA_DIR=str(data_dir),
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        TRACKER_FEED_ALLOWED_NETWORKS="127.0.0.1/32",
        TRACKER_DISPATCH_SPREAD="0",
        **extra,
    )
    return env


class Worker:
    """A `celery worker` process of the bench's own, in a session of its own so
    that stopping it reaches its pool's children and nothing else."""

    def __init__(self, name, env, log_path, concurrency, queues="fetch"):
        self.log_path = log_path
        command = [
            sys.executable, "-m", "celery", "-A", "config", "worker",
            "--queues", queues, "--hostname", f"{name}@%h", "--loglevel", "info",
            "--pool", "prefork", "--concurrency", str(concurrency),
        ]  # fmt: skip
        with open(log_path, "ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )

    def ready(self):
        if self.process.poll() is not None:
            raise RuntimeError(f"a worker exited:\n{self.log_path.read_text()[-3000:]}")
        return " ready." in self.log_path.read_text()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):  # its pool's children, if any linger
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def wait(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} within {timeout} s")


def fresh_batch(urls):
    """An empty database with the feeds due now and a debate that watches them."""
    from django.core.management import call_command
    from django.utils import timezone

    from tracker.models import Feed

    call_command("flush", interactive=False, verbosity=0)
    watched_debate()
    now = timezone.now()
    Feed.objects.bulk_create([Feed(url=url, next_fetch_at=now) for url in urls])


def batch_done():
    from tracker.models import Feed

    return (
        not Feed.objects.filter(last_fetched_at=None).exists()
        and not Feed.objects.exclude(fetch_token="").exists()
    )


def run_batch(workers, urls, env, folder, concurrency, broker):
    """Seconds from dispatch until every feed was fetched and released, with
    `workers` worker processes already consuming."""
    from tracker.models import CoverageItem, Feed
    from tracker.tasks import dispatch_due_feeds

    fresh_batch(urls)
    broker.flushdb()
    running = [
        Worker(f"fetch{n}", env, folder / f"worker-{workers}-{n}.log", concurrency)
        for n in range(workers)
    ]
    try:
        wait(lambda: all(w.ready() for w in running), 120, "the workers did not start")
        started = time.monotonic()
        dispatch_due_feeds()
        wait(batch_done, BATCH_TIMEOUT, "the batch did not finish")
        elapsed = time.monotonic() - started
    finally:
        for worker in running:
            worker.stop()
    failed = Feed.objects.exclude(error_count=0).count()
    return elapsed, CoverageItem.objects.count(), failed


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds added per response")
    parser.add_argument("--concurrency", type=int, default=4, help="pool children per worker")
    parser.add_argument("--runs", type=int, default=1, help="batches per worker count")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("Set REDIS_URL to a Redis database this bench may empty.")

    files = sorted(p for p in args.corpus.iterdir() if p.is_file())
    server, name = create_database()
    database_url = f"{server}/{name}"
    folder = Path(tempfile.mkdtemp(prefix="pdt-workers-"))
    os.environ.update(production_env(database_url, redis_url, folder))
    try:
        setup_django(database_url)
        import redis
        from common import migrate

        sys.path.insert(0, str(ROOT))
        from tests.feedserver import FeedServer, Route

        migrate()
        broker = redis.Redis.from_url(redis_url)
        env = production_env(database_url, redis_url, folder)
        print(
            f"corpus: {len(files)} feeds, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB; "
            f"{args.latency * 1000:.0f} ms added per response; prefork, "
            f"{args.concurrency} children per worker; {os.cpu_count()} cores",
            flush=True,
        )
        with FeedServer("127.0.0.1") as feeds:
            urls = []
            for path in files:
                feeds.routes[f"/{path.name}"] = Route(
                    body=path.read_bytes(),
                    headers={"Content-Type": "application/xml"},
                    stall=args.latency,
                )
                urls.append(feeds.url(f"/{path.name}"))
            times = {}
            for _ in range(args.runs):
                for workers in (1, 2):
                    elapsed, items, failed = run_batch(
                        workers, urls, env, folder, args.concurrency, broker
                    )
                    times.setdefault(workers, []).append(elapsed)
                    line(
                        f"{workers} worker" + "s" * (workers > 1),
                        f"{elapsed:6.1f} s for {len(urls)} feeds "
                        f"({len(urls) / elapsed * 3600:,.0f} feeds/hour)",
                        note=f"{items} items, {failed} feeds failed",
                    )
        one, two = min(times[1]), min(times[2])
        line("ratio", f"{one / two:.2f}x", note="two workers' speed over one's (best runs)")
        broker.flushdb()
    finally:
        drop_database(server, name)


if __name__ == "__main__":
    main()
