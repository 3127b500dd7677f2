"""Fleet: the dispatcher at 2,000 and at 20,000 feeds, and the feeds an hour one
fetch worker polls.

A local HTTP server on 127.0.0.1 stands in for any number of feeds. Feed n takes
the profile of a real feed of ../shared/corpora/news-feeds/ (n modulo 200): its
size in bytes, its number of items and how often it publishes (items an hour,
from the dates of its newest entries). Its body is generated — that many items of that
average size — and gains an item every 1/rate hours of the server's clock; it
answers If-None-Match with 304 while nothing changed. Each feed is registered
with the polling interval the tracker's adaptive polling settles on for that
rate (about half the polls find something new: 0.66 / rate, within the bounds),
and due at a random point of its interval, as in a running fleet.

  dispatch  beat's dispatch_due_feeds on a minute's due feeds (those that fell
            due in the last 60 s), publishing to Redis: queries, this process's
            CPU time and the clock per due feed, at 2,000 and at 20,000
            registered feeds, and the ratio (1.0 = the cost follows the due
            feeds, not the fleet)
  worker    one Procfile `fetch` worker (prefork, --concurrency children)
            polling a sample of the fleet twice: first contact (every item new)
            and one polling interval later (new items, or 304): feeds an hour

Run:  REDIS_URL=redis://127.0.0.1:6379/N .venv/bin/python bench/fleet.py
      [--sample 200] [--concurrency 4] [--skip-worker]
It uses (and empties) REDIS_URL's database; PostgreSQL is DATABASE_URL's server.
"""

import argparse
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from datetime import timedelta
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import create_database, drop_database, line, setup_django, watched_debate
from workers import BATCH_TIMEOUT, DEFAULT_CORPUS, Worker, production_env, wait

SIZES = (2_000, 20_000)
RECENT = 10  # a feed's pace is that of its newest items
SLOWEST = 1 / (24 * 30)  # items an hour: an undated or dead feed counts as one a month
SETTLED = 0.66  # new items per poll where the adaptive interval settles (see docstring)
SYLLABLES = ["ka", "lo", "mi", "ter", "vu", "san", "or", "pel", "di", "rhu", "gan", "te"]
WATCHED = "NATO allies watch Kremlin drones"


def corpus_profiles(corpus):
    """(bytes, items, items an hour) of each real feed."""
    from tracker.ingest.parse import parse_feed

    profiles = []
    for path in sorted(p for p in corpus.iterdir() if p.is_file()):
        body = path.read_bytes()
        entries = parse_feed(body).entries
        # Its current pace: the span of its newest items (an archive's oldest
        # entries are years old).
        dates = sorted(e.published_at for e in entries if e.published_at)[-RECENT:]
        hours = (dates[-1] - dates[0]).total_seconds() / 3600 if len(dates) > 1 else 0
        rate = (len(dates) - 1) / hours if hours > 0 else SLOWEST
        profiles.append((len(body), max(1, len(entries)), min(max(rate, SLOWEST), 60.0)))
    return profiles


class Fleet:
    """Feed n: the profile of real feed n % len(profiles), its clock's phase and
    the interval the tracker would poll it at."""

    def __init__(self, profiles):
        from tracker.models.coverage import MAX_POLL_SECONDS, MIN_POLL_SECONDS

        self.profiles = profiles
        # The server's clock, in polling intervals: at 1, every feed is one of
        # its own intervals older than at 0.
        self.intervals = 0
        self.bounds = (MIN_POLL_SECONDS, MAX_POLL_SECONDS)

    def profile(self, n):
        size, items, rate = self.profiles[n % len(self.profiles)]
        return size, items, rate, random.Random(n).random()

    def interval(self, n):
        rate = self.profile(n)[2]
        low, high = self.bounds
        return int(min(high, max(low, SETTLED * 3600 / rate)))

    def version(self, n, intervals=None):
        """How many items feed n has published (its newest item's number)."""
        _, _, rate, phase = self.profile(n)
        intervals = self.intervals if intervals is None else intervals
        return int(phase + intervals * self.interval(n) / 3600 * rate)

    def body(self, n):
        return render(n, self.version(n), *self.profile(n)[:2])


@lru_cache(maxsize=1)
def word_pool():
    """Generated words to cut items from: slices of one pool, so a feed of
    megabytes renders in milliseconds."""
    rng = random.Random(0)
    return " ".join(
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(500_000)
    )


@lru_cache(maxsize=4096)
def render(n, version, size, items):
    """Feed n's RSS at a version: its `items` newest items, `size` bytes in all."""
    pool = word_pool()
    per_item = max(200, size // items) - 150  # the markup around the text
    parts = []
    for k in range(version, version - items, -1):
        start = random.Random(n * 1_000_003 + k).randrange(len(pool) - per_item - 100)
        start = pool.index(" ", start) + 1
        text = pool[start : pool.rindex(" ", start, start + max(per_item, 100))]
        words = text.split(" ", 8)
        title = " ".join(words[:8]).capitalize() + f" {n}-{k}"
        body = words[8] if len(words) > 8 else ""
        if k % 5 == 0:
            body = f"{WATCHED} {body}"
        link = f"https://fleet.example/{n}/{k}"
        parts.append(
            f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"
            f"<description>{body}.</description></item>"
        )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Fleet {n}</title>'
        f"<link>https://fleet{n}.example/</link>{''.join(parts)}</channel></rss>"
    ).encode()


class FleetServer:
    def __init__(self, fleet):
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                match = re.fullmatch(r"/fleet/(\d+)\.xml", self.path)
                if not match:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                n = int(match.group(1))
                etag = f'"{n}-{fleet.version(n)}"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                body = fleet.body(n)
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, n):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/fleet/{n}.xml"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def register(fleet, server, count, rng):
    """`count` feeds in steady state: each due at a random point of its interval,
    those due within the last minute due now."""
    from django.db import connection
    from django.utils import timezone

    from tracker.models import Feed

    with connection.cursor() as cursor:  # quicker than Django's delete, row by row
        cursor.execute(f"TRUNCATE {Feed._meta.db_table} CASCADE")
    now = timezone.now()
    feeds = []
    for n in range(count):
        interval = fleet.interval(n)
        feeds.append(
            Feed(
                url=server.url(n),
                poll_interval=interval,
                next_fetch_at=now + timedelta(seconds=rng.uniform(-60, interval - 60)),
            )
        )
    Feed.objects.bulk_create(feeds, batch_size=2000)
    with connection.cursor() as cursor:  # as autovacuum would, after so many new rows
        cursor.execute(f"ANALYZE {Feed._meta.db_table}")


def bench_dispatch(fleet, server, broker, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tracker.tasks import dispatch_due_feeds

    per_feed = {}
    for count in SIZES:
        samples = []
        for run in range(runs):
            register(fleet, server, count, random.Random(run))
            broker.flushdb()
            cpu, clock = time.process_time(), time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                due = dispatch_due_feeds()
            cpu, clock = time.process_time() - cpu, time.perf_counter() - clock
            samples.append((due, len(queries.captured_queries), cpu, clock))
            if os.environ.get("FLEET_SHOW_QUERIES"):
                print(*(q["sql"][:150] for q in queries.captured_queries), sep="\n")
        due = statistics.median(s[0] for s in samples)
        queries = statistics.median(s[1] for s in samples)
        cpu = statistics.median(s[2] / s[0] for s in samples)
        clock = statistics.median(s[3] / s[0] for s in samples)
        per_feed[count] = (cpu, clock, queries / due)
        line(
            f"dispatch {count:,}",
            f"{due:,.0f} due in a minute: {queries:.0f} queries "
            f"({queries / due:.3f} a due feed), {cpu * 1000:.2f} ms CPU and "
            f"{clock * 1000:.2f} ms by the clock a due feed",
            note=f"median of {runs}",
        )
    small, large = per_feed[SIZES[0]], per_feed[SIZES[1]]
    line(
        "ratio",
        f"{large[0] / small[0]:.2f}x CPU, {large[1] / small[1]:.2f}x clock, "
        f"{large[2] / small[2]:.2f}x queries a due feed",
        note=f"{SIZES[1]:,} feeds against {SIZES[0]:,}",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT id, fetch_token FROM tracker_feed WHERE is_active "
            "AND next_fetch_at <= now() ORDER BY next_fetch_at LIMIT 500 FOR UPDATE SKIP LOCKED"
        )
        plan = " / ".join(row[0].strip() for row in cursor.fetchall())
    line("plan", plan)


def poll_pass(feeds, env, folder, concurrency, broker, label):
    """Make `feeds` due, let one worker poll them all: seconds."""
    from django.utils import timezone

    from tracker.models import Feed
    from tracker.tasks import dispatch_due_feeds

    broker.flushdb()
    worker = Worker("fetch", env, folder / f"fleet-{label}.log", concurrency)
    try:
        wait(worker.ready, 120, "the worker did not start")
        started_at = timezone.now()
        Feed.objects.filter(id__in=feeds).update(next_fetch_at=started_at, fetch_token="")
        started = time.monotonic()
        dispatch_due_feeds()
        polled = Feed.objects.filter(id__in=feeds, last_fetched_at__gte=started_at, fetch_token="")
        wait(lambda: polled.count() == len(feeds), BATCH_TIMEOUT, f"the {label} pass did not end")
        return time.monotonic() - started
    finally:
        worker.stop()


def bench_worker(fleet, server, broker, sample, env, folder, concurrency):
    from tracker.models import CoverageItem, Feed

    Feed.objects.all().delete()
    watched_debate()
    Feed.objects.bulk_create(
        [Feed(url=server.url(n), poll_interval=fleet.interval(n)) for n in range(sample)]
    )
    feeds = list(Feed.objects.values_list("id", flat=True))
    fleet.intervals = 0
    first = poll_pass(feeds, env, folder, concurrency, broker, "first")
    items = CoverageItem.objects.count()
    changed = sum(fleet.version(n, 1) != fleet.version(n, 0) for n in range(sample))
    fleet.intervals = 1
    again = poll_pass(feeds, env, folder, concurrency, broker, "again")
    new = CoverageItem.objects.count() - items
    for label, seconds, note in (
        ("first", first, f"{items:,} items, every one new"),
        ("again", again, f"{changed} of {sample} changed ({new:,} new items), the rest 304"),
    ):
        line(
            f"worker {label}",
            f"{sample / seconds * 3600:8,.0f} feeds/hour ({sample} feeds in {seconds:.1f} s)",
            note=note,
        )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--runs", type=int, default=3, help="dispatches per fleet size")
    parser.add_argument("--sample", type=int, default=200, help="feeds the worker polls")
    parser.add_argument("--concurrency", type=int, default=4, help="the worker's pool children")
    parser.add_argument("--skip-worker", action="store_true")
    args = parser.parse_args()
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        sys.exit("Set REDIS_URL to a Redis database this bench may empty.")

    server, name = create_database()
    database_url = f"{server}/{name}"
    folder = Path(tempfile.mkdtemp(prefix="pdt-fleet-"))
    os.environ.update(production_env(database_url, redis_url, folder))
    try:
        setup_django(database_url)
        import redis
        from common import migrate

        migrate()
        broker = redis.Redis.from_url(redis_url)
        fleet = Fleet(corpus_profiles(args.corpus))
        word_pool()
        sizes = [p[0] for p in fleet.profiles]
        rates = sorted(p[2] for p in fleet.profiles)
        per_minute = sum(60 / fleet.interval(n) for n in range(len(fleet.profiles)))
        print(
            f"profiles: {len(sizes)} real feeds, median {statistics.median(sizes) / 1000:.0f} kB, "
            f"median {statistics.median(rates) * 24:.2f} items/day "
            f"(10th–90th percentile {rates[len(rates) // 10] * 24:.2f}–"
            f"{rates[-len(rates) // 10] * 24:.1f}); "
            f"{per_minute / len(sizes) * 100:.1f}% of a fleet due a minute",
            flush=True,
        )
        with FleetServer(fleet) as feeds:
            bench_dispatch(fleet, feeds, broker, args.runs)
            if not args.skip_worker:
                env = production_env(database_url, redis_url, folder)
                bench_worker(fleet, feeds, broker, args.sample, env, folder, args.concurrency)
        broker.flushdb()
    finally:
        drop_database(server, name)


if __name__ == "__main__":
    main()
