"""The debate page at 200 actors: rendered every time, served from the page
cache, and answered 304 — each beside a hello-world view in the same run.

Run:  .venv/bin/python bench/pages.py [--actors 200] [--requests 40] [--sqlite]
Uses a throwaway PostgreSQL database (DATABASE_URL's server) unless --sqlite.
"""

import argparse
import datetime
import os
import tempfile

from common import create_database, drop_database, line, median_get_ms, migrate, setup_django


def hello(request):
    from django.http import HttpResponse

    return HttpResponse("hello, world")


def build(actors):
    from django.utils import timezone

    from tracker.models import Actor, CoverageItem, Debate, Evidence, Membership, Outlet, Position

    debate = Debate.objects.create(
        title="Bench", slug="bench", question="?", low_label="low", high_label="high",
        status="active",
    )  # fmt: skip
    proposals = [
        debate.proposals.create(title=f"Option {n}", slug=f"option-{n}", rung=n) for n in range(5)
    ]
    bloc = Actor.objects.create(kind="bloc", name="Bloc", slug="bloc")
    outlet = Outlet.objects.create(name="Wire", domain="wire.example")
    day = datetime.date(2025, 10, 9)
    now = timezone.now()
    for n in range(actors):
        actor = Actor.objects.create(
            kind="country", name=f"Country {n}", slug=f"c{n}", country="EE"
        )
        Membership.objects.create(member=actor, organization=bloc)
        item = CoverageItem.objects.create(
            canonical_url=f"https://wire.example/{n}", url=f"https://wire.example/{n}",
            title=f"Story {n}", outlet=outlet,
        )  # fmt: skip
        for offset, stance in ((0, -1), (3, n % 5 - 2)):
            position = Position.objects.create(
                actor=actor, debate=debate, stance=stance, summary="A stance.",
                stated_on=day + datetime.timedelta(days=offset), status="published",
                published_at=now,
            )  # fmt: skip
            Evidence.objects.create(
                position=position, item=item, attribution="anonymous_officials", source_count=2,
                source_affiliation="officials", quote="We will see.",
            )  # fmt: skip
        Position.objects.create(
            actor=actor, debate=debate, proposal=proposals[n % 5], support="support", stance=1,
            summary="Backs it.", stated_on=day, status="published", published_at=now,
        )  # fmt: skip


def measure(client, paths, **headers):
    return median_get_ms(client, paths, ok=(200, 304), **headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actors", type=int, default=200)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    os.environ["DEBUG"] = "0"  # as deployed: no query log, no debug pages
    database = None
    if args.sqlite:
        url = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    else:
        database = create_database()
        url = f"{database[0]}/{database[1]}"
    try:
        setup_django(url)
        import pages
        from django.conf import settings
        from django.core.cache import cache
        from django.test import Client
        from django.urls import include, path

        pages.urlpatterns = [path("hello/", hello), path("", include("config.urls"))]
        settings.ROOT_URLCONF = "pages"
        migrate()
        build(args.actors)
        if database:  # the planner's statistics, as a live database has them
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        client = Client(HTTP_HOST="localhost")
        page = "/debates/bench/"
        n = args.requests
        measure(client, [page, "/hello/"])  # warm up imports and connections
        hello_ms = measure(client, ["/hello/"] * n)
        cache.clear()
        uncached_ms = measure(client, [f"{page}?run={i}" for i in range(n)])
        measure(client, [page])
        cached_ms = measure(client, [page] * n)
        etag = client.get(page)["ETag"]
        not_modified_ms = measure(client, [page] * n, HTTP_IF_NONE_MATCH=etag)
        print(f"debate page with {args.actors} actors, {n} requests each, median; "
              f"database {'SQLite' if args.sqlite else 'PostgreSQL'}")  # fmt: skip

        def versus(ms):
            return f"{uncached_ms / ms:.0f}x faster than rendering, {ms / hello_ms:.1f}x hello"

        line("hello", f"{hello_ms:7.2f} ms")
        line("render", f"{uncached_ms:7.2f} ms", f"hello {hello_ms:.2f} ms",
             note=f"{uncached_ms / hello_ms:.0f}x hello")  # fmt: skip
        line(
            "cached", f"{cached_ms:7.2f} ms", f"render {uncached_ms:.2f} ms", note=versus(cached_ms)
        )
        line("304", f"{not_modified_ms:7.2f} ms", f"render {uncached_ms:.2f} ms",
             note=versus(not_modified_ms))  # fmt: skip
    finally:
        if database:
            drop_database(*database)


urlpatterns = []

if __name__ == "__main__":
    main()
