"""Proof's background work: the daily consistency check (see jobs/ for the schedule;
`manage.py check_proof_rules` runs it by hand)."""

from django_tasks import task

from jobs.schedule import schedule_next

from .report import check_proof_rules


@task()
def check_proof_rules_daily():
    schedule_next(check_proof_rules_daily)  # first, so a failing run still keeps the schedule
    new_rows = check_proof_rules()
    return {"new_breaches": [[row.product.pk, row.breach.rule] for row in new_rows]}
