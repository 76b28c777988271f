"""Stored panel figures: worked out by `refresh_insight` (daily) and read by the dashboard.

A panel with no stored figures yet is worked out on first view, so a fresh install shows a
dashboard at once; after that, the figures are as fresh as the last refresh, and every panel
says when that was.
"""

import time

from django.utils import timezone

from .models import PanelSnapshot
from .panels import PANELS
from .templatetags.insight_tags import section_chart


def refresh(panel):
    _, compute = PANELS[panel]
    started = time.perf_counter()
    data = compute(timezone.localdate())
    # Charts are drawn now, once, so a panel page only has to inline them.
    for section in data.get("sections", []):
        section["svg"] = str(section_chart(section))
    took_ms = round((time.perf_counter() - started) * 1000)
    snapshot, _ = PanelSnapshot.objects.update_or_create(
        panel=panel,
        defaults={"computed_at": timezone.now(), "took_ms": took_ms, "data": data},
    )
    return snapshot


def refresh_all():
    return [refresh(panel) for panel in PANELS]


def latest(panel):
    """The stored figures, read from the database only when used (`data` is deferred): a
    page whose HTML is in the cache needs only the panel's time."""
    snapshot = PanelSnapshot.objects.filter(panel=panel).defer("data").first()
    return snapshot or refresh(panel)
