"""Drawing a panel section's chart and reading its cells (insight/panels.py describes both)."""

import hashlib
import json

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from registry.charts import bar_chart, line_chart, stacked_bar_chart

register = template.Library()


@register.simple_tag
def section_chart(section):
    """The section's chart as SVG: drawn when the figures were stored, or now."""
    if section.get("svg") is not None:
        return mark_safe(section["svg"])  # noqa: S308 - drawn by registry.charts
    chart = section.get("chart")
    if not chart or not chart["labels"]:
        return ""
    # A chart drawn for a request (Ready to spread, filtered and sorted) is kept a day,
    # named by what it shows: drawing one takes longer than the rest of the page.
    key = (
        "insight-chart:"
        + hashlib.sha256(
            json.dumps([section["title"], chart], sort_keys=True, default=str).encode()
        ).hexdigest()
    )
    svg = cache.get(key)
    if svg is None:
        svg = str(_draw(section["title"], chart))
        cache.set(key, svg, CHART_CACHE_SECONDS)
    return mark_safe(svg)  # noqa: S308 - drawn by registry.charts


CHART_CACHE_SECONDS = 24 * 60 * 60


def _draw(title, chart):
    series = {
        name: [v if v != "" else None for v in values] for name, values in chart["series"].items()
    }
    if chart["type"] == "line":
        return line_chart(title, chart["labels"], series)
    if chart["type"] == "stacked":
        return stacked_bar_chart(title, chart["labels"], series)
    (values,) = series.values()
    return bar_chart(title, chart["labels"], values)


@register.filter
def cell_value(cell):
    return cell["v"] if isinstance(cell, dict) else cell


@register.filter
def cell_href(cell):
    return cell.get("href") if isinstance(cell, dict) else None


@register.simple_tag(takes_context=True)
def organisations_like(context, organisation):
    """Suggestions for an organisation's page (insight/peers.py), and whether the person
    looking is one of its confirmed members (the page then says "like yours")."""
    from buyers.membership import verified_organisations
    from insight.peers import suggestions_for

    user = context["request"].user
    return {
        "suggestions": suggestions_for(organisation),
        "is_member": verified_organisations(user).filter(pk=organisation.pk).exists(),
    }
