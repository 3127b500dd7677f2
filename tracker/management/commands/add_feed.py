import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tracker.ingest.polling import FeedRefused, register_feed, reserve_feed
from tracker.tasks import queue_fetch


class Command(BaseCommand):
    help = "Validate and register a feed to poll; a refused URL exits non-zero with the reason."

    def add_arguments(self, parser):
        parser.add_argument("url")
        parser.add_argument("--outlet", default="", help="The outlet that publishes the feed.")
        parser.add_argument("--interval", type=int, help="Seconds between polls to start with.")
        parser.add_argument(
            "--no-fetch", action="store_true", help="Do not queue a first fetch straight away."
        )

    def handle(self, *args, url, outlet, interval=None, no_fetch=False, **options):
        try:
            with transaction.atomic():
                feed, created, warnings = register_feed(url, outlet, interval)
        except FeedRefused as refusal:
            raise CommandError(f"refused: {refusal}") from None
        queued = False
        if created and not no_fetch:
            token = reserve_feed(feed.id)
            queued = bool(token) and queue_fetch(feed.id, token)
        for warning in warnings:
            self.stderr.write(f"warning: {warning}")
        report = {"feed_id": feed.id, "url": feed.url, "created": created, "queued": queued}
        self.stdout.write(json.dumps(report))
