"""Emails leave the request as tasks; a failed send is retried with back-off and, if it
never succeeds, stays visible. Runs the real database backend and its worker."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.emails import send_templated_email
from accounts.tasks import SEND_ATTEMPTS, deliver_email, undelivered

from ..assessments.factories import InnovatorFactory
from .conftest import let_time_pass, run_worker

# The worker opens its own transactions; serialized_rollback puts back the reference data
# the migrations load.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class FailingBackend(EmailBackend):
    """The locmem backend behind a mail server that is down for the first `failures` sends."""

    failures = 0
    attempts = 0

    def send_messages(self, messages):
        type(self).attempts += 1
        if type(self).attempts <= type(self).failures:
            raise ConnectionRefusedError("The mail server refused the connection.")
        return super().send_messages(messages)


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.attempts = 0

    def down_for(failures):
        FailingBackend.failures = failures

    return down_for


def _results():
    return list(
        DBTaskResult.objects.filter(task_path=deliver_email.module_path).order_by("enqueued_at")
    )


def test_an_invitation_is_queued_in_the_request_and_sent_by_the_worker(client, database_tasks):
    ada = InnovatorFactory()
    client.force_login(ada)
    response = client.post("/account/invite/", {"email": "bo@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []  # nothing is sent while the person waits
    [queued] = _results()
    assert queued.status == TaskResultStatus.READY

    run_worker()

    [invitation] = mail.outbox
    assert invitation.to == ["bo@example.com"]
    assert "/account/invitation/" in invitation.body
    queued.refresh_from_db()
    assert queued.status == TaskResultStatus.SUCCESSFUL


def test_a_send_that_fails_is_retried_later_and_then_delivered(database_tasks, mail_server_down):
    mail_server_down(1)
    user = InnovatorFactory(email="ada@example.com")
    send_templated_email("verify_email", {"user": user, "link": "https://x/verify"}, [user.email])

    run_worker()
    first, retry = _results()
    assert first.status == TaskResultStatus.FAILED
    assert "ConnectionRefusedError" in first.exception_class_path
    assert "refused the connection" in first.traceback
    assert retry.status == TaskResultStatus.READY
    assert retry.args_kwargs["kwargs"] == {"attempt": 2}
    # Back-off: the retry waits a minute, so the worker does not run it yet.
    wait = retry.run_after - first.finished_at
    assert datetime.timedelta(seconds=55) < wait <= datetime.timedelta(minutes=1)
    run_worker()
    assert mail.outbox == []

    let_time_pass()
    run_worker()
    retry.refresh_from_db()
    assert retry.status == TaskResultStatus.SUCCESSFUL
    [message] = mail.outbox
    assert message.subject == "Confirm your email address for the registry"
    assert "https://x/verify" in message.body
    assert list(undelivered()) == []


def test_a_send_that_keeps_failing_stops_and_stays_visible(database_tasks, mail_server_down):
    mail_server_down(100)
    user = InnovatorFactory(email="ada@example.com")
    send_templated_email("verify_email", {"user": user, "link": "https://x/verify"}, [user.email])

    waits = []
    for _ in range(SEND_ATTEMPTS + 2):  # more rounds than attempts: it must stop by itself
        ran_at = timezone.now()
        run_worker()
        waiting = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
        if waiting:
            waits.append(round((waiting.run_after - ran_at).total_seconds() / 60))
        let_time_pass()

    results = _results()
    assert len(results) == SEND_ATTEMPTS == FailingBackend.attempts
    assert all(result.status == TaskResultStatus.FAILED for result in results)
    assert waits == [1, 4, 16, 64]  # minutes of back-off between attempts
    assert mail.outbox == []

    [given_up] = undelivered()
    assert given_up.args_kwargs["args"][3] == ["ada@example.com"]
    out = StringIO()
    call_command("undelivered_emails", stdout=out)
    report = out.getvalue()
    assert "'Confirm your email address for the registry' to ada@example.com" in report
    assert "1 email not delivered." in report


def test_the_given_up_email_is_listed_in_the_admin(client, database_tasks, mail_server_down):
    mail_server_down(100)
    user = InnovatorFactory(email="ada@example.com")
    send_templated_email("verify_email", {"user": user, "link": "https://x/v"}, [user.email])
    for _ in range(SEND_ATTEMPTS):
        run_worker()
        let_time_pass()
    admin = User.objects.create_superuser("root", "root@example.com", "x-Password-1")
    client.force_login(admin)
    page = client.get("/django-admin/django_tasks_database/dbtaskresult/?status__exact=FAILED")
    assert page.status_code == 200
    assert page.content.decode().count("deliver_email") >= SEND_ATTEMPTS


@pytest.mark.django_db
def test_with_immediate_tasks_a_failed_send_is_retried_at_once(settings, mail_server_down):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    mail_server_down(2)
    user = InnovatorFactory(email="ada@example.com")
    send_templated_email("verify_email", {"user": user, "link": "https://x/v"}, [user.email])
    assert FailingBackend.attempts == 3
    assert len(mail.outbox) == 1
