"""Start (or check) the daily jobs' chain in the task queue: make sure each daily job
(settings.DAILY_JOBS) has its next run waiting, at DAILY_JOBS_AT. Adds nothing for a job
that already has one, so it is safe to run any number of times. The task worker
(manage.py db_worker) runs them."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from jobs.schedule import daily_tasks, schedule_next


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        for task in daily_tasks():
            due = schedule_next(task)
            if due is None:
                raise CommandError(
                    f"The task backend {task.backend!r} cannot run tasks later: the daily "
                    "jobs need the database backend (settings.TASKS)."
                )
            when = timezone.localtime(due)
            self.stdout.write(f"{task.name}: next run {when:%Y-%m-%d %H:%M %Z}")
