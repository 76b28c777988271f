"""The daily jobs run as tasks on the database backend: `schedule_daily_jobs` starts the
chain once, each run queues the next for the same time tomorrow, and a run does its work
(the expiry check opens a re-assessment and queues the supplier's email)."""

import datetime
import zoneinfo
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.tasks import deliver_email
from assessments.models import Standard, Submission, SubmissionKind
from assessments.tasks import check_expiry_daily
from buyers.tasks import send_alerts_daily
from jobs.schedule import next_run

from ..assessments.factories import ComplianceFactory, InnovatorFactory
from ..registry.factories import ProductFactory
from .conftest import let_time_pass, run_worker

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _waiting(task):
    return list(
        DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)
    )


def _schedule():
    out = StringIO()
    call_command("schedule_daily_jobs", stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime.datetime(2026, 5, 4, 5, 59, tzinfo=LONDON), (2026, 5, 4)),
        (datetime.datetime(2026, 5, 4, 6, 0, tzinfo=LONDON), (2026, 5, 5)),
        (datetime.datetime(2026, 12, 31, 23, 0, tzinfo=LONDON), (2027, 1, 1)),
        # The clocks go forward on 29 March 2026: still 06:00 on the wall clock.
        (datetime.datetime(2026, 3, 28, 7, 0, tzinfo=LONDON), (2026, 3, 29)),
    ],
)
def test_the_next_run_is_at_six_local_time(settings, now, expected):
    settings.DAILY_JOBS_AT = "06:00"
    when = timezone.localtime(next_run(now))
    assert (when.year, when.month, when.day, when.hour, when.minute) == (*expected, 6, 0)


@pytest.mark.django_db
def test_scheduling_needs_a_backend_that_can_run_tasks_later():
    with pytest.raises(CommandError, match="need the database backend"):
        _schedule()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_scheduling_queues_each_daily_job_once(database_tasks):
    out = _schedule()
    assert "check_expiry_daily: next run" in out and "send_alerts_daily: next run" in out
    _schedule()  # a second run, as on every deployment, adds nothing
    [expiry] = _waiting(check_expiry_daily)
    [alerts] = _waiting(send_alerts_daily)
    for job in (expiry, alerts):
        assert timezone.localtime(job.run_after).time() == datetime.time(6, 0)
        assert job.run_after > timezone.now()
    run_worker()  # not due yet: nothing runs
    assert _waiting(check_expiry_daily) == [expiry]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_due_expiry_check_runs_and_queues_tomorrows(database_tasks):
    innovator = InnovatorFactory(email="ada@example.com")
    product = ProductFactory(title="Breathe Easy", supplier=innovator.membership.organisation)
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="CE"),
        expires_on=timezone.localdate() + datetime.timedelta(days=45),
    )
    _schedule()
    [today] = _waiting(check_expiry_daily)
    let_time_pass()

    run_worker()

    today.refresh_from_db()
    assert today.status == TaskResultStatus.SUCCESSFUL
    [reassessment] = Submission.objects.filter(kind=SubmissionKind.REASSESSMENT)
    assert today.return_value["opened"] == [reassessment.pk]
    assert reassessment.product_id == product.pk
    # The chain goes on: the next run waits for six tomorrow.
    [tomorrow] = _waiting(check_expiry_daily)
    assert timezone.localtime(tomorrow.run_after).time() == datetime.time(6, 0)
    assert timezone.now() < tomorrow.run_after <= timezone.now() + datetime.timedelta(days=1)
    # The supplier's email was queued by the job and sent by the same worker run.
    assert DBTaskResult.objects.get(task_path=deliver_email.module_path).status == (
        TaskResultStatus.SUCCESSFUL
    )
    assert [message.to for message in mail.outbox] == [["ada@example.com"]]
