"""Sending email in the background, with retries that give up visibly.

`deliver_email` sends one message that `accounts.emails.send_templated_email` rendered.
If the email backend raises (a mail server or GOV.UK Notify down, a timeout), the attempt's
task result is marked failed, with its traceback, and the same message is enqueued again to
run after a back-off (1, 4, 16, 64 minutes). After `SEND_ATTEMPTS` failed attempts it stops:
every attempt, the last included, stays in the task results (the Django admin's Task results,
/django-admin/django_tasks_database/dbtaskresult/, filtered by status), so a message that
was never delivered is not lost from sight; `manage.py undelivered_emails` lists those.

django-tasks has no retry of its own, hence the re-enqueue here. A backend that cannot run
a task later (the immediate backend in tests) retries at once.
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

SEND_ATTEMPTS = 5
FIRST_RETRY_AFTER = datetime.timedelta(minutes=1)
BACKOFF_FACTOR = 4


def retry_delay(attempt):
    """How long to wait after failed attempt number `attempt` (1-based)."""
    return FIRST_RETRY_AFTER * BACKOFF_FACTOR ** (attempt - 1)


@task()
def deliver_email(template_name, subject, body, recipients, attempt=1):
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message.template_name = template_name  # read by the Notify backend as its reference
    try:
        return message.send()
    except Exception:
        if attempt >= SEND_ATTEMPTS:
            logger.exception(
                "Gave up sending %r to %s after %d attempts.", subject, recipients, attempt
            )
            raise
        retry = deliver_email
        if retry.get_backend().supports_defer:
            retry = retry.using(run_after=timezone.now() + retry_delay(attempt))
        logger.warning(
            "Sending %r to %s failed (attempt %d of %d); trying again.",
            subject,
            recipients,
            attempt,
            SEND_ATTEMPTS,
            exc_info=True,
        )
        retry.enqueue(template_name, subject, body, recipients, attempt=attempt + 1)
        raise


def undelivered():
    """The task results of emails given up on: their last attempt failed."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=deliver_email.module_path,
        status=TaskResultStatus.FAILED,
        args_kwargs__kwargs__attempt__gte=SEND_ATTEMPTS,
    ).order_by("-finished_at")
