"""Email the daily digest for every active saved search: products that newly match it. Run
daily (the task worker does); running it again sends nothing twice, as a product is
never listed twice for the same saved search (see buyers/alerts.py)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from buyers.alerts import send_digests
from buyers.models import SavedSearch


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, verbosity=1, **options):
        total = SavedSearch.objects.filter(unsubscribed_at__isnull=True).count()
        with tqdm(
            total=total,
            unit="search",
            desc="Saved searches",
            disable=verbosity < 1 or not total,
            file=self.stderr,
        ) as bar:

            def progress(run):
                bar.update(1)
                bar.set_postfix(sent=run.sent, products=run.products_listed, refresh=False)

            run = send_digests(progress=progress)
        self.stdout.write(
            f"Checked {run.checked} saved search{'es' if run.checked != 1 else ''}: sent "
            f"{run.sent} digest{'s' if run.sent != 1 else ''} listing {run.products_listed} "
            f"product{'s' if run.products_listed != 1 else ''}."
        )
        if run.skipped:
            self.stdout.write(
                self.style.WARNING(
                    f"Skipped {len(run.skipped)} that cannot be matched now (they will be "
                    "tried again next run): " + "; ".join(reason for _, reason in run.skipped)
                )
            )
