import json

from django.core.management.base import BaseCommand, CommandError

from tracker.ingest.polling import poll_feed, reserve_due_feeds, reserve_feed
from tracker.models import Feed
from tracker.tasks import queue_fetch


class Command(BaseCommand):
    help = "Fetch the due feeds (or one feed) now: through the workers, or here with --sync."

    def add_arguments(self, parser):
        parser.add_argument("--feed", type=int, metavar="ID", help="Fetch this feed, due or not.")
        parser.add_argument(
            "--sync", action="store_true", help="Fetch in this process instead of queueing."
        )

    def handle(self, *args, feed=None, sync=False, **options):
        if feed is not None:
            if not Feed.objects.filter(id=feed).exists():
                raise CommandError(f"no feed with id {feed}")
            token = reserve_feed(feed)
            if token is None:
                raise CommandError(
                    f"feed {feed} is disabled: {Feed.objects.get(id=feed).disabled_reason}"
                )
            reserved = [(feed, token)]
        else:
            reserved = reserve_due_feeds()
        failed = False
        for feed_id, token, *_ in reserved:
            if sync:
                outcome = poll_feed(feed_id, token)
                failed |= outcome.status in ("failed", "disabled")
                row = {"feed_id": feed_id, "status": outcome.status, "error": outcome.error}
                row.update(outcome.summary.as_dict())
            else:
                row = {"feed_id": feed_id, "queued": queue_fetch(feed_id, token)}
            self.stdout.write(json.dumps(row))
        if failed and feed is not None:
            raise CommandError("the fetch failed")
