"""Open data as a daily task: a thin wrapper round `opendata.publish` (see jobs/ for the
schedule; `manage.py publish_open_data` runs it by hand)."""

from django_tasks import task

from jobs.schedule import schedule_next

from . import opendata


@task()
def publish_open_data_daily():
    schedule_next(publish_open_data_daily)  # first, so a failing run still keeps the schedule
    publication = opendata.publish()
    return {"file": publication.path.name, "sha256": publication.sha256, **publication.counts}
