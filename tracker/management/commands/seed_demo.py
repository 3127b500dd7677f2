from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.demo import (
    DEMO_DIR,
    ensure_demo_release,
    ensure_demo_users,
    import_demo_feeds,
    load_demo,
)


class Command(BaseCommand):
    help = "Load the demo debates from fixtures/demo/ and create the demo editor and publisher."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (not for production)."
        )
        parser.add_argument("--folder", default=str(DEMO_DIR), help="Folder of demo JSON files.")

    def handle(self, *args, force=False, folder=None, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data and demo users with DEBUG off; use --force to insist."
            )
        counts = load_demo(folder)
        created = sum(n for key, n in counts.items() if key.endswith(".created"))
        existing = sum(n for key, n in counts.items() if key.endswith(".existing"))
        self.stdout.write(f"Demo data: {created} records created, {existing} already present.")
        feeds = import_demo_feeds()
        self.stdout.write(
            f"Sample feeds: {feeds.items_new} new items, {feeds.flags_created} flags for review."
        )
        logins = ensure_demo_users()
        self.stdout.write(f"Demo logins (kept in {settings.DEMO_LOGINS_FILE}):")
        for username, login in logins.items():
            self.stdout.write(f"  {login['role']:<10} {username} / {login['password']}")
        release = ensure_demo_release()
        if release:
            self.stdout.write(
                f"Data release {release.number}: {release.position_count} positions "
                f"(/data/releases/{release.number}/)."
            )
