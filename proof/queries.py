"""proof.rules as database filters: the same DTAC_REQUIREMENTS, read by SQL on the day asked.

The database search engine filters and counts products by DTAC state with these, so the
filter and facet counts change the day a standard expires, with no job and no reindex (the
Elasticsearch query does the same from the same data).
"""

from django.db.models import CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.expressions import Case

from .rules import DTAC_REQUIREMENTS, EXPIRED, MET


def met_on_q(day, prefix=""):
    """Rows met and unexpired on ``day`` (the rules' is_met_on, in SQL)."""
    return Q(**{f"{prefix}status": MET}) & (
        Q(**{f"{prefix}expires_on__isnull": True}) | Q(**{f"{prefix}expires_on__gte": day})
    )


def effective_status(day, prefix=""):
    """A compliance row's status as the public reads it on ``day`` (the rules'
    effective_status, in SQL): "expired" once the expiry date has passed."""
    return Case(
        When(**{f"{prefix}expires_on__lt": day}, then=Value(EXPIRED)),
        default=F(f"{prefix}status"),
        output_field=CharField(),
    )


def dtac_passed_q(day):
    """ProductPages whose DTAC state is "passed" on ``day``: every group of
    DTAC_REQUIREMENTS has one of its codes met and unexpired."""
    from assessments.models import ProductCompliance

    condition = Q()
    for group in DTAC_REQUIREMENTS:
        condition &= Exists(
            ProductCompliance.objects.filter(
                met_on_q(day), product=OuterRef("pk"), standard__code__in=group
            )
        )
    return condition
