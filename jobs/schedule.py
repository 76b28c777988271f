"""When the daily jobs run next, and the one place that enqueues them (see the package
docstring for the design)."""

import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def next_run(now=None):
    """The next DAILY_JOBS_AT (local time) strictly after `now`."""
    now = timezone.localtime(now or timezone.now())
    hour, minute = (int(part) for part in settings.DAILY_JOBS_AT.split(":"))
    candidate = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= now:
        candidate = timezone.localtime(candidate + datetime.timedelta(days=1)).replace(
            hour=hour, minute=minute
        )
    return candidate


def waiting_run(task):
    """The run of `task` already queued and not yet started, if any."""
    return (
        DBTaskResult.objects.filter(
            task_path=task.module_path,
            backend_name=task.backend,
            status=TaskResultStatus.READY,
        )
        .order_by("run_after")
        .first()
    )


def schedule_next(task, now=None):
    """Enqueues the next daily run of `task` unless one is waiting. Returns when that run
    is due, or None on a backend that cannot run a task later (the immediate backend in
    tests), where a daily chain makes no sense."""
    if not task.get_backend().supports_defer:
        return None
    waiting = waiting_run(task)
    if waiting is not None:
        return waiting.run_after
    return task.using(run_after=next_run(now)).enqueue().task.run_after


def daily_tasks():
    return [import_string(path) for path in settings.DAILY_JOBS]
