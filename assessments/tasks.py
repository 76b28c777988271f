"""Assessments' background work: the daily expiry check (see jobs/ for the schedule;
`manage.py check_expiry` runs it by hand)."""

from django_tasks import task

from jobs.schedule import schedule_next

from .expiry import check_expiry


@task()
def check_expiry_daily():
    schedule_next(check_expiry_daily)  # first, so a failing run still keeps the schedule
    report = check_expiry()
    return {
        "opened": [submission.pk for submission in report.opened],
        "already_open": report.already_open,
        "no_section": report.no_section,
    }
