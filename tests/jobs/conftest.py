"""Background tasks on the real database backend, run by its real worker (`db_worker`)."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_tasks(settings):
    """The database task backend, as in development and production."""
    settings.TASKS = DATABASE_TASKS
    return settings


def run_worker():
    """The worker runs every task that is due, then exits."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def let_time_pass():
    """Moves every waiting task's run_after to now, as if its back-off had elapsed."""
    waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    return waiting.update(run_after=timezone.now() - datetime.timedelta(seconds=1))
