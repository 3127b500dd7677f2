import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.ingest.files import import_files


class Command(BaseCommand):
    help = (
        "Run local feed files (RSS, Atom, JSON Feed; folders are searched) through the "
        "coverage pipeline and print a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--outlet", help="Credit every item to this outlet (created if new).")

    def handle(self, *args, paths, outlet=None, **options):
        missing = [p for p in paths if not Path(p).exists()]
        if missing:
            raise CommandError(f"no such file or folder: {', '.join(missing)}")
        progress = None
        if sys.stderr.isatty():
            from tqdm import tqdm

            def progress(files):
                return tqdm(files, desc="importing", unit="file", file=sys.stderr)

        totals, per_file = import_files(paths, outlet, progress)
        report = {
            "files": len(per_file),
            "items_new": totals.items_new,
            "items_duplicate": totals.items_duplicate,
            "items_near_duplicate": totals.items_near_duplicate,
            "items_rejected": totals.items_rejected,
            "flags_created": totals.flags_created,
            "warnings": {path: s.warnings for path, s in per_file.items() if s.warnings},
        }
        self.stdout.write(json.dumps(report, indent=2, ensure_ascii=False))
