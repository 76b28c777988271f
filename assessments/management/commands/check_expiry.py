from django.core.management.base import BaseCommand

from assessments.expiry import WARNING_DAYS, check_expiry


class Command(BaseCommand):
    help = (
        f"Open a re-assessment of the section behind any compliance expiring within "
        f"{WARNING_DAYS} days, and email the supplier. Safe to run more than once a day."
    )

    def handle(self, *args, **options):
        report = check_expiry()
        for submission in report.opened:
            self.stdout.write(
                f"Opened re-assessment of {submission.sections_in_scope.get().code} "
                f"for {submission.product_name}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(report.opened)} re-assessment(s) opened, {report.already_open} already "
                f"open, {report.no_section} expiring standard(s) outside the framework."
            )
        )
