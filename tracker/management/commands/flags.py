import json

from django.core.management.base import BaseCommand, CommandError

from tracker.models import Debate, Flag


class Command(BaseCommand):
    help = "Print a debate's review queue, one JSON object per line."

    def add_arguments(self, parser):
        parser.add_argument("--debate", required=True, metavar="SLUG")
        parser.add_argument("--status", choices=Flag.Status.values)
        parser.add_argument(
            "--json", action="store_true", help="JSON lines (the only format, kept explicit)."
        )

    def handle(self, *args, debate, status=None, **options):
        if not Debate.objects.filter(slug=debate).exists():
            raise CommandError(f"no debate with the slug “{debate}”")
        flags = (
            Flag.objects.filter(debate__slug=debate)
            .select_related("item")
            .prefetch_related("matched_actors")
            .in_queue_order()
        )
        if status:
            flags = flags.filter(status=status)
        for flag in flags.iterator(chunk_size=500):
            row = {
                "item_id": flag.item_id,
                "url": flag.item.url,
                "title": flag.item.title,
                "score": flag.score,
                "status": flag.status,
                "matched_terms": flag.matched_terms,
                "matched_actors": sorted(actor.slug for actor in flag.matched_actors.all()),
                "suggested_stance": flag.suggested_stance,
                "relevance": flag.relevance,
                "found_by": flag.found_by,
                "reason": flag.reason,
            }
            self.stdout.write(json.dumps(row, ensure_ascii=False))
