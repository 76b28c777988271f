"""List the emails that were never delivered: the task worker gave up sending them, every
attempt having failed. Each is also a failed task result in the Django admin
(/django-admin/), with its traceback."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.tasks import undelivered


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        results = list(undelivered())
        for result in results:
            args = result.args_kwargs["args"]
            recipients = ", ".join(args[3])
            finished = timezone.localtime(result.finished_at)
            self.stdout.write(
                f"{finished:%Y-%m-%d %H:%M} {args[1]!r} to {recipients}: "
                f"{result.exception_class_path} ({result.id})"
            )
        self.stdout.write(f"{len(results)} email{'s' if len(results) != 1 else ''} not delivered.")
