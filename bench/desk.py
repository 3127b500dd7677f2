"""The review queue, the review screen of its top flag (and the step to the next
one) and the coverage changelist at 10,000 and at 1,000,000 coverage items
(100,000 flags), in one run on PostgreSQL. The queue's order by relevance is
also timed side by side with the keyword order it replaced (the first page of
unclaimed flags, across debates and for one, and the step to the next flag),
with the index each uses.

Run:  .venv/bin/python bench/desk.py [--small 10000] [--large 1000000] [--requests 10]
"""

import argparse
import statistics
import time

from common import create_database, drop_database, line, median_get_ms, migrate, setup_django

FLAG_EVERY = 10  # one flag per ten items


def grow(cursor, start, stop, outlets, debate_id):
    """Add items start..stop-1 and a flag for every tenth, straight in SQL."""
    cursor.execute(
        """
        INSERT INTO tracker_coverageitem
            (canonical_url, url, guid, title, summary, content, published_at, fetched_at,
             outlet_id, content_hash, title_key, signature, embedding)
        SELECT 'https://bench.example/' || i, 'https://bench.example/' || i, '',
               'Story number ' || i || ' about NATO drones', '<p>NATO allies and drones.</p>', '',
               now() - (i || ' seconds')::interval, now(), %s + i %% %s,
               '', '', ''::bytea, ''::bytea
        FROM generate_series(%s, %s) AS i
        """,
        [min(outlets), len(outlets), start, stop - 1],
    )
    cursor.execute(
        """
        INSERT INTO tracker_flag
            (item_id, debate_id, score, matched_terms, suggested_stance, stance_reasons, status,
             note, created_at, decided_at, relevance, found_by, reason)
        SELECT id, %s, (id %% 17)::float, '["NATO", "drone*"]', (id %% 5) - 2, '[]',
               CASE WHEN id %% 3 = 0 THEN 'dismissed' ELSE 'new' END, '', now(),
               CASE WHEN id %% 3 = 0 THEN now() END,
               -- one flag in twenty from before relevance was on
               CASE WHEN id %% 200 = 0 THEN NULL ELSE ((id * 7919) %% 10000) / 10000.0 END,
               'query', '{}'::jsonb
        FROM tracker_coverageitem
        WHERE canonical_url LIKE 'https://bench.example/%%' AND id %% %s = 0
          AND id NOT IN (SELECT item_id FROM tracker_flag)
        """,
        [debate_id, FLAG_EVERY],
    )
    cursor.execute("ANALYZE")


def timing(client, url, requests):
    client.get(url)  # warm
    return median_get_ms(client, [url] * requests, ok=(200, 302))


# The keyword order the queue had before it ordered by relevance, and its step.
KEYWORD_ORDER = ("-score", "-created_at", "-id")


def keyword_after(flag):
    from django.db.models import Q

    return (
        Q(score__lt=flag.score)
        | Q(score=flag.score, created_at__lt=flag.created_at)
        | Q(score=flag.score, created_at=flag.created_at, id__lt=flag.id)
    )


def query_timing(make, requests):
    list(make())  # warm
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        list(make())
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def index_used(queryset):
    plan = queryset.explain()
    names = [word.strip('"') for word in plan.split() if word.strip('"').startswith("flag_")]
    return names[0] if names else "no index (" + plan.splitlines()[0][:40] + ")"


def order_queries(debate_id):
    """(name, keyword-order queryset, relevance-order queryset) pairs."""
    from tracker.models import Flag

    unclaimed = Flag.objects.filter(status="new", assignee=None)
    one = unclaimed.filter(debate_id=debate_id)
    middle = unclaimed.in_queue_order()[500]
    by_score = unclaimed.order_by(*KEYWORD_ORDER)[500]
    return [
        (
            "unclaimed, first 50",
            unclaimed.order_by(*KEYWORD_ORDER)[:50],
            unclaimed.in_queue_order()[:50],
        ),
        ("one debate, first 50", one.order_by(*KEYWORD_ORDER)[:50], one.in_queue_order()[:50]),
        (
            "next after the 500th",
            unclaimed.filter(keyword_after(by_score)).order_by(*KEYWORD_ORDER)[:1],
            unclaimed.after(middle)[:1],
        ),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()
    database = create_database()
    try:
        setup_django(f"{database[0]}/{database[1]}")
        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        migrate()
        from tracker.models import Debate, Flag, Outlet

        outlets = [Outlet.objects.create(name=f"Outlet {n}").id for n in range(50)]
        debate = Debate.objects.create(
            title="Bench", slug="bench", question="?", low_label="low", high_label="high",
            status="active",
        )  # fmt: skip
        user = get_user_model().objects.create_superuser("bench", "bench@example.org", "x")
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        pages = {
            "queue": "/admin/tracker/flag/",
            "queue, score ≥ 5": "/admin/tracker/flag/?score_at_least=5",
            "queue, all flags": "/admin/tracker/flag/?queue=all",
            "coverage": "/admin/tracker/coverageitem/",
            "coverage search": "/admin/tracker/coverageitem/?q=number+123",
        }
        results = {}
        for size in (args.small, args.large):
            with connection.cursor() as cursor:
                start = 1 if size == args.small else args.small + 1
                started = time.perf_counter()
                grow(cursor, start, size + 1, outlets, debate.id)
                print(f"{size:,} items, {size // FLAG_EVERY:,} flags loaded in "
                      f"{time.perf_counter() - started:.0f} s")  # fmt: skip
            top = Flag.objects.filter(status="new").in_queue_order().first()
            pages["review"] = f"/admin/tracker/flag/{top.pk}/change/"
            pages["review, next"] = f"/admin/tracker/flag/{top.pk}/next/"
            pages["queue, one debate"] = f"/admin/tracker/flag/?debate__id__exact={debate.id}"
            results[size] = {
                name: timing(client, url, args.requests) for name, url in pages.items()
            }
            for name, keyword, relevance in order_queries(debate.id):
                old = query_timing(lambda q=keyword: q.all(), args.requests)
                new = query_timing(lambda q=relevance: q.all(), args.requests)
                line(
                    name[:8],
                    f"{new:8.2f} ms by relevance ({index_used(relevance)})",
                    f"{old:.2f} ms by keyword score ({index_used(keyword)})",
                    note=f"ratio {new / old:.2f}  at {size:,} items ({name})",
                )
        for name in pages:
            small, large = results[args.small][name], results[args.large][name]
            ours, baseline = (
                f"{large:8.1f} ms at {args.large:,}",
                f"{small:.1f} ms at {args.small:,}",
            )
            line(name[:8], ours, baseline, note=f"ratio {large / small:.1f}x  ({name})")
    finally:
        drop_database(*database)


if __name__ == "__main__":
    main()
