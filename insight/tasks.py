"""The insight dashboard's daily refresh of every panel's figures (see jobs/ for the
schedule; `manage.py refresh_insight` runs it by hand)."""

from django_tasks import task

from jobs.schedule import schedule_next

from .snapshots import refresh_all


@task()
def refresh_insight_daily():
    schedule_next(refresh_insight_daily)  # first, so a failing run still keeps the schedule
    return {snapshot.panel: snapshot.took_ms for snapshot in refresh_all()}
