"""The saved-search alerts as a daily task: a thin wrapper round `alerts.send_digests` (see
jobs/ for the schedule; `manage.py send_alerts` runs it by hand)."""

from django_tasks import task

from jobs.schedule import schedule_next

from .alerts import send_digests


@task()
def send_alerts_daily():
    schedule_next(send_alerts_daily)  # first, so a failing run still keeps the schedule
    run = send_digests()
    return {
        "checked": run.checked,
        "sent": run.sent,
        "products_listed": run.products_listed,
        "skipped": [[pk, reason] for pk, reason in run.skipped],
    }
