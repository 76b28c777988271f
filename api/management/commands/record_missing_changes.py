"""Add a 'created' entry to the changes feed for every public record it has never
mentioned. Run after loading data in bulk without signals (seed_demo, a restored
backup), so a mirror replaying the feed gets those records too. Safe to run twice."""

from django.core.management.base import BaseCommand

from api.changes import record_missing


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        added = record_missing()
        self.stdout.write(self.style.SUCCESS(f"Recorded {added:,} records new to the feed."))
