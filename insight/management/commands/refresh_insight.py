"""Work out every insight panel's figures again and store them. Run daily (after
check_expiry); safe to run at any time."""

from django.core.management.base import BaseCommand, CommandError

from insight.panels import PANELS
from insight.snapshots import refresh


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("panels", nargs="*", help=f"Any of {', '.join(PANELS)}; default all.")

    def handle(self, *args, panels, **options):
        unknown = [panel for panel in panels if panel not in PANELS]
        if unknown:
            raise CommandError(
                f"No such panel: {', '.join(unknown)}. Choose from {', '.join(PANELS)}."
            )
        for panel in panels or PANELS:
            snapshot = refresh(panel)
            self.stdout.write(f"{PANELS[panel][0]}: worked out in {snapshot.took_ms} ms")
