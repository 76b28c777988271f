"""The insight dashboard for the scaling team (Editors, Assessors and superusers: the
insight.view_insight permission). Each panel shows its stored figures (insight/snapshots.py):
a chart, the table behind it, a CSV of that table and how old the figures are."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_POST

from registry.models import CareSetting, Category
from registry.pagination import page_links

from . import snapshots
from .panels import PANELS, READY_COLUMNS, ready_section

PERMISSION = "insight.view_insight"
READY_SORTS = {key for key, _ in READY_COLUMNS}
#: A table longer than this is shown a page at a time (its CSV has every row): rendering
#: thousands of rows, such as every listing whose DTAC lapses soon, made a panel slow.
TABLE_ROWS = 50


def panel_sections(panel, snapshot, request=None):
    """The sections to show; Ready to spread is filtered and sorted as the request asks."""
    if panel != "ready-to-spread":
        return snapshot.data["sections"]
    products = snapshot.data["products"]
    params = request.GET if request is not None else {}
    category = params.get("category", "")
    care_setting = params.get("care_setting", "")
    if category:
        products = [p for p in products if p["category_slug"] == category]
    if care_setting:
        products = [p for p in products if care_setting in p["care_settings"]]
    sort = params.get("sort", "score")
    if sort.lstrip("-") in READY_SORTS and sort.lstrip("-") != "score":
        key = sort.lstrip("-")
        descending = sort.startswith("-")
        products = sorted(products, key=lambda p: (p[key], -p["score"]), reverse=descending)
    return [ready_section(products, limit=None if request is not None else 25)]


def paged_sections(sections, request=None):
    """Each section with at most TABLE_ROWS rows: the page its `<key>-page` parameter asks
    for on a panel's page (request given), the first page elsewhere. A paged section says
    which rows it shows and links to the other pages."""
    shown = []
    for section in sections:
        rows = section["rows"]
        if len(rows) <= TABLE_ROWS:
            shown.append(section)
            continue
        param = f"{section['key']}-page"
        page = Paginator(rows, TABLE_ROWS).get_page(request.GET.get(param) if request else 1)

        def href(number, param=param):
            query = request.GET.copy()
            query[param] = number
            return f"?{query.urlencode()}"

        shown.append(
            {
                **section,
                "rows": page.object_list,
                "paged": {
                    "first": page.start_index(),
                    "last": page.end_index(),
                    "total": len(rows),
                    "links": page_links(page, href) if request else {"show": False},
                },
            }
        )
    return shown


def _context(panel, snapshot, request=None, fragment="page"):
    """What a panel's body shows. `fragment` names where (page, dashboard, home): its HTML
    is kept in the cache per snapshot, place and query (insight/includes/panel_body.html)."""
    title, _ = PANELS[panel]
    return {
        "panel": panel,
        "panel_title": title,
        "snapshot": snapshot,
        # Worked out only if the cached HTML is missing: the figures are not even read then.
        "sections": SimpleLazyObject(
            lambda: paged_sections(panel_sections(panel, snapshot, request), request)
        ),
        "summary": SimpleLazyObject(lambda: snapshot.data.get("summary") or {}),
        "fragment": fragment,
    }


@permission_required(PERMISSION, raise_exception=True)
def dashboard(request):
    panels = [_context(panel, snapshots.latest(panel), fragment="dashboard") for panel in PANELS]
    return render(request, "insight/dashboard.html", {"panels": panels})


@permission_required(PERMISSION, raise_exception=True)
def panel_detail(request, panel):
    if panel not in PANELS:
        raise Http404
    context = _context(panel, snapshots.latest(panel), request)
    if panel == "ready-to-spread":
        context.update(
            categories=Category.objects.order_by("name"),
            care_settings=CareSetting.objects.order_by("name"),
            chosen_category=request.GET.get("category", ""),
            chosen_care_setting=request.GET.get("care_setting", ""),
            sort=request.GET.get("sort", "score"),
            sorts=READY_COLUMNS,
        )
    return render(request, "insight/panel.html", context)


@permission_required(PERMISSION, raise_exception=True)
def panel_csv(request, panel, section):
    if panel not in PANELS:
        raise Http404
    sections = panel_sections(panel, snapshots.latest(panel), request)
    chosen = next((s for s in sections if s["key"] == section), None)
    if chosen is None:
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"{panel}-{section}-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(chosen["columns"])
    for row in chosen["rows"]:
        writer.writerow([_csv_safe(value) for value in row])
    return response


def _csv_safe(value):
    """The plain figure, and text that a spreadsheet will not run as a formula."""
    if isinstance(value, dict):
        value = value["v"]
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


@require_POST
@permission_required(PERMISSION, raise_exception=True)
def refresh(request, panel):
    if panel not in PANELS:
        raise Http404
    snapshot = snapshots.refresh(panel)
    messages.success(
        request, f"{PANELS[panel][0]}: figures worked out again ({snapshot.took_ms} ms)."
    )
    return redirect("insight:panel", panel=panel)
