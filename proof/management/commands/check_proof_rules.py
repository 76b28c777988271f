"""Record which live listings break a proof rule today and email the scaling team the new
ones. Run daily; safe to run more than once a day."""

from django.core.management.base import BaseCommand

from proof.report import check_proof_rules


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        new_rows = check_proof_rules()
        for row in new_rows:
            self.stdout.write(f"{row.title}: {row.rule}. {row.message}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(new_rows)} new breach(es) reported to the scaling team.")
        )
