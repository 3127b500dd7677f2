import json
from datetime import UTC, datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date

from tracker.ingest.flagging import relevance_enabled, rematch
from tracker.models import Debate
from tracker.relevance.learning import relearn


class Command(BaseCommand):
    help = (
        "Re-run a debate's watch query over stored coverage (creating only missing flags), "
        "retrain its relevance model, re-score its open flags and flag similar coverage."
    )

    def add_arguments(self, parser):
        parser.add_argument("--debate", required=True, metavar="SLUG")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="Only items since this date.")

    def handle(self, *args, debate, since=None, **options):
        try:
            target = Debate.objects.get(slug=debate)
        except Debate.DoesNotExist:
            raise CommandError(f"no debate with the slug “{debate}”") from None
        start = None
        if since:
            day = parse_date(since) if len(since) == 10 else None
            if day is None:
                raise CommandError(f"--since must be a date like 2025-10-09, not “{since}”")
            start = datetime.combine(day, time.min, tzinfo=UTC)
        try:
            target.full_clean(validate_unique=False)
        except Exception as error:
            raise CommandError(f"the debate's watch query is not valid: {error}") from None
        created = rematch(target, since=start)
        result = {"debate": target.slug, "flags_created": created}
        if relevance_enabled():
            rescored, similar = relearn(target, since=start)
            result.update(flags_created=created + similar, similar=similar, rescored=rescored)
        self.stdout.write(json.dumps(result))
