"""Presentation rules the public templates share: how a figure reads, where the user is in
the site. Kept here so every page shows the same thing the same way (how a status looks is
in proof/templatetags/proof_tags.py)."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from wagtail.models import Site

from registry import pagination
from registry.choices import ESF_TIER_DESCRIPTIONS

register = template.Library()

CURRENCY_SYMBOLS = ("£", "$", "€")


@register.filter
def esf_description(tier):
    return ESF_TIER_DESCRIPTIONS.get(tier, "")


@register.filter
def figure(value):
    """A measured figure without trailing zeros and with thousands separators: 12,000 or 6.5."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)).normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return intcomma(f"{number:f}")


@register.filter
def measure(value, unit):
    """A figure with its unit where a reader expects it: 6.5%, £85, 30 minutes."""
    amount = figure(value)
    unit = (unit or "").strip()
    if not unit:
        return amount
    if unit == "%":
        return f"{amount}%"
    if unit.startswith(CURRENCY_SYMBOLS):
        rest = unit[1:].strip()
        return f"{unit[0]}{amount}" + (f" {rest}" if rest else "")
    return f"{amount} {unit}"


@register.simple_tag
def outcome_change(outcome):
    """The change in plain words, so it does not depend on reading the sign of a number."""
    change = outcome.change
    if not change:
        return "No change"
    direction = "Up" if change > 0 else "Down"
    unit = (outcome.unit or "").strip()
    # A change between two percentages is in percentage points, not per cent.
    if unit == "%":
        amount = f"{figure(abs(change))} percentage points"
    else:
        amount = measure(abs(change), unit)
    percent = outcome.percent_change
    relative = f" ({abs(percent)}%)" if percent else ""
    return f"{direction} {amount}{relative}"


@register.filter
def aria_current(path, href):
    """'page' on the link to this very page, 'true' on the link to the section it is in."""
    if not href or not path:
        return ""
    if path == href:
        return "page"
    if href != "/" and path.startswith(href):
        return "true"
    return ""


@register.inclusion_tag("includes/breadcrumb.html", takes_context=True)
def breadcrumb_trail(context, include_self=False):
    """The pages above this one, from the home page (labelled Home). include_self ends the
    trail with the current page, for listings a routable page serves (such as a category)."""
    page = context["page"]
    request = context.get("request")
    site = Site.find_for_request(request) if request else page.get_site()
    ancestors = (
        page.get_ancestors(inclusive=include_self)
        .descendant_of(site.root_page, inclusive=True)
        .order_by("depth")
    )
    items = [
        {
            "label": "Home" if ancestor.pk == site.root_page_id else ancestor.title,
            "href": ancestor.get_url(request=request),
        }
        for ancestor in ancestors
    ]
    return {"items": items}


@register.inclusion_tag("includes/breadcrumb.html", takes_context=True)
def breadcrumb_to(context, page=None, extra_class=""):
    """A one-link trail for a view outside the page tree: back to `page` (a product, from
    its forms) or, with none, to Home (search, compare, shortlist)."""
    if page is None:
        item = {"label": "Home", "href": "/"}
    else:
        item = {"label": page.title, "href": page.get_url(request=context.get("request"))}
    return {"items": [item], "extra_class": extra_class}


@register.inclusion_tag("includes/table_head.html")
def table_head(*headings, numeric="", hidden=""):
    """The <thead> of an NHS.UK responsive table, a column a heading: those named in `numeric`
    (comma-separated) align right; `hidden` adds a last column only screen readers announce
    (such as "Actions")."""
    numeric = {name.strip() for name in numeric.split(",")}
    return {"columns": [(heading, heading in numeric) for heading in headings], "hidden": hidden}


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def page_links(context, page_obj):
    """Numbered NHS.UK pagination for a Django Page, keeping the rest of the query string
    (the search terms, for example)."""
    request = context.get("request")
    query = request.GET.copy() if request else None

    def href(number):
        if query is None:
            return f"?page={number}"
        query["page"] = number
        return "?" + query.urlencode()

    return pagination.page_links(page_obj, href)


@register.simple_tag
def bar_chart_of(title, pairs):
    """A horizontal bar chart of [(label, count)] pairs; the page shows the same pairs as a
    table beside it."""
    from registry.charts import bar_chart

    pairs = list(pairs)
    return bar_chart(title, [label for label, _ in pairs], [count for _, count in pairs])


@register.simple_tag
def cumulative_chart_of(title, rows):
    """A line of the running total from [(year, new, total)] rows."""
    from registry.charts import line_chart

    return line_chart(title, [year for year, _, _ in rows], {title: [total for *_, total in rows]})


@register.filter
def signed_measure(value, unit):
    """A change with its sign and unit: +3 minutes, -2.5%, 0%."""
    if value is None:
        return ""
    sign = "+" if value > 0 else "-" if value < 0 else ""
    return sign + measure(abs(value), unit)
