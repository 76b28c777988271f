"""proof.queries says in SQL what proof.rules says in Python: the same answer on the same
rows, for every status and every place the expiry date can fall."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import ComplianceStatus, ProductCompliance, Standard
from proof import queries, rules
from tests.assessments.factories import ComplianceFactory
from tests.registry.factories import ProductFactory

DAY = datetime.date(2026, 12, 3)
EXPIRIES = (
    None,
    DAY - datetime.timedelta(days=400),
    DAY - datetime.timedelta(days=1),
    DAY,
    DAY + datetime.timedelta(days=1),
)


@pytest.fixture
def every_kind_of_row(db):
    product = ProductFactory()
    standards = list(Standard.objects.order_by("pk"))
    rows = []
    for status in ComplianceStatus.values:
        for expires_on in EXPIRIES:
            rows.append(
                ComplianceFactory(
                    product=product,
                    standard=standards[len(rows)],
                    status=status,
                    assessed_on=DAY - datetime.timedelta(days=500),
                    expires_on=expires_on,
                )
            )
    return rows


@pytest.mark.parametrize("day", [DAY, DAY + datetime.timedelta(days=1)])
def test_the_effective_status_in_sql_is_the_rules_effective_status(every_kind_of_row, day):
    in_sql = dict(
        ProductCompliance.objects.filter(pk__in=[row.pk for row in every_kind_of_row])
        .annotate(seen=queries.effective_status(day))
        .values_list("pk", "seen")
    )
    in_python = {row.pk: rules.effective_status(row, day) for row in every_kind_of_row}
    assert in_sql == in_python
    assert set(in_python.values()) == {*ComplianceStatus.values, rules.EXPIRED}


def test_met_on_in_sql_is_the_rules_is_met_on(every_kind_of_row):
    in_sql = set(
        ProductCompliance.objects.filter(queries.met_on_q(DAY)).values_list("pk", flat=True)
    )
    assert in_sql == {row.pk for row in every_kind_of_row if rules.is_met_on(row, DAY)}
    assert in_sql  # the rows include some met on the day


def test_the_compliance_row_reads_its_effective_status_as_the_rules_do(every_kind_of_row):
    today = timezone.localdate()
    for row in every_kind_of_row:
        assert row.effective_status == rules.effective_status(row, today)
