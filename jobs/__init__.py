"""The daily jobs' schedule, kept in the task queue itself.

The registry's daily work (`check_expiry`, `send_alerts`) runs as django-tasks tasks on the
database backend, executed by `manage.py db_worker`. There is no separate scheduler
process: each daily task, when it starts, enqueues its own next run for DAILY_JOBS_AT
tomorrow (`schedule.schedule_next`), so the schedule is a waiting row in the task table and
survives restarts; a run missed while no worker was up happens when one comes back.
`manage.py schedule_daily_jobs` starts the chain (idempotent: it adds a run only for a job
with none waiting); `make run` calls it before starting the worker, and a deployment calls
it on each release. The management commands stay the way to run a job by hand.
"""
