"""The consistency report: every live listing that breaks a proof rule today, which rule,
and since when; and the daily job that tells the scaling team about the new ones.

Today's breaches are always worked out afresh from proof.rules (so an expiry, a rule change
or an import shows on the next read, with no job run). BreachRecord only remembers when a
breach was first seen, for the rules whose rows carry no date, and whether the scaling team
has been emailed about it. ``record_breaches`` is the daily job: the `check_proof_rules`
command runs it.
"""

import datetime
from dataclasses import dataclass
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from accounts.emails import send_templated_email

from .loading import live_breaches, today
from .models import BreachRecord
from .rules import Breach

#: Who "the scaling team" is for the daily email: the editors who publish listings.
SCALING_TEAM_GROUP = "Editors"


@dataclass(frozen=True)
class ReportRow:
    product: object
    breach: Breach
    since: datetime.date

    title = property(attrgetter("product.title"))
    rule = property(attrgetter("breach.rule_name"))
    message = property(attrgetter("breach.message"))

    @property
    def edit_url(self):
        return reverse("wagtailadmin_pages:edit", args=[self.product.pk])


def report_rows(day=None):
    """Today's breaches, each with the day it began: exact from an expiry date where the rows
    say so, else the day it was first recorded, else today (not seen by the daily job yet)."""
    day = day or today()
    found = live_breaches(day)
    first_seen = {
        (product_id, rule): seen
        for product_id, rule, seen in BreachRecord.objects.filter(
            product_id__in={page.pk for page, _ in found}
        ).values_list("product_id", "rule", "first_seen_on")
    }
    rows = [
        ReportRow(page, breach, breach.since or first_seen.get((page.pk, breach.rule), day))
        for page, breach in found
    ]
    return sorted(rows, key=lambda row: (row.since, row.title, row.breach.rule))


def record_breaches(day=None):
    """Records today's breaches, forgets the mended ones, and returns the rows not yet
    reported to the scaling team (marking them reported). Safe to run twice a day."""
    day = day or today()
    rows = report_rows(day)
    current = {(row.product.pk, row.breach.rule): row for row in rows}
    with transaction.atomic():
        records = {
            (record.product_id, record.rule): record
            for record in BreachRecord.objects.select_for_update()
        }
        mended = [record.pk for key, record in records.items() if key not in current]
        BreachRecord.objects.filter(pk__in=mended).delete()
        BreachRecord.objects.bulk_create(
            [
                BreachRecord(product_id=product_id, rule=rule, first_seen_on=row.since)
                for (product_id, rule), row in current.items()
                if (product_id, rule) not in records
            ]
        )
        unreported = BreachRecord.objects.filter(notified_on__isnull=True)
        new_keys = set(unreported.values_list("product_id", "rule"))
        unreported.update(notified_on=day)
    return [row for key, row in current.items() if key in new_keys]


def scaling_team_emails():
    users = (
        get_user_model()
        .objects.filter(groups__name=SCALING_TEAM_GROUP, is_active=True)
        .exclude(email="")
    )
    return list(users.values_list("email", flat=True).distinct())


def notify_scaling_team(new_rows, day=None):
    """Emails the scaling team the breaches first seen since the last email; none, no email."""
    if not new_rows:
        return 0
    return send_templated_email(
        "proof_breaches",
        {"rows": new_rows, "day": day or today(), "link": reverse("proof_report:index")},
        scaling_team_emails(),
    )


def check_proof_rules(day=None):
    """The daily job: record today's breaches and email the new ones. Returns the new rows."""
    new_rows = record_breaches(day)
    notify_scaling_team(new_rows, day)
    return new_rows
