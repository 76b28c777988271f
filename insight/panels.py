"""The insight dashboard's panels: each works out its figures from the database in a few
aggregate queries and returns plain data (JSON-ready), which `refresh_insight` stores as a
PanelSnapshot and the dashboard renders as a chart, the table behind it and a CSV.

A panel's data is {"sections": [section, ...]}. A section is one table: its key (for the CSV
address), title, columns, rows and the chart drawn from it. A cell is a plain value or
{"v": value, "href": address of the list the figure counts}. How Ready to spread scores a
product is written out in docs/insight.md; keep the two in step.
"""

import datetime
import functools
import statistics
from collections import Counter, defaultdict

from django.conf import settings
from django.db.models import Count, Min, Q
from django.db.models.functions import TruncMonth, TruncWeek
from django.urls import reverse
from django.utils import timezone

from proof.rules import DTAC_REQUIREMENTS, Dtac, DtacState, dtac
from registry.choices import OrganisationKind, Region

NHS_KINDS = [kind for kind in OrganisationKind if kind != OrganisationKind.SUPPLIER]
REGION_LABELS = dict(Region.choices)
KIND_LABELS = dict(OrganisationKind.choices)
DTAC_CODES = {code for group in DTAC_REQUIREMENTS for code in group}

#: Ready to spread keeps this many products per category (the best scores), so filtering by
#: category or care setting still finds the strongest candidates in the stored figures.
READY_PER_CATEGORY = 25


def cell(value, href=None):
    return {"v": value, "href": href} if href else value


def section(key, title, columns, rows, chart=None, note=""):
    return {
        "key": key,
        "title": title,
        "columns": columns,
        "rows": rows,
        "chart": chart,
        "note": note,
    }


def _product_admin(pk):
    # Reversed once: Ready to spread builds hundreds of these on each request.
    return _product_admin_pattern().replace("/0/", f"/{pk}/")


@functools.cache
def _product_admin_pattern():
    return reverse("wagtailadmin_pages:edit", args=[0])


def _organisations_list(**filters):
    query = "&".join(f"{name}={value}" for name, value in filters.items() if value)
    base = reverse("wagtailsnippets_registry_organisation:list")
    return f"{base}?{query}" if query else base


def _live_product_ids():
    from registry.models import ProductPage

    return ProductPage.objects.live().public().values("pk")


# --- The proof of every live product, as the rules see it today ----------------------------


class _Row:
    """The three fields proof.rules reads, from a values() row."""

    __slots__ = ("expires_on", "standard", "status")

    class _Standard:
        __slots__ = ("code",)

        def __init__(self, code):
            self.code = code

    def __init__(self, code, status, expires_on):
        self.standard = self._Standard(code)
        self.status = status
        self.expires_on = expires_on


def dtac_states(day, product_ids=None):
    """{product id: proof.rules.Dtac} for live products with any DTAC row, on `day`."""
    from assessments.models import ProductCompliance

    rows = ProductCompliance.objects.filter(
        standard__code__in=DTAC_CODES, product__in=product_ids or _live_product_ids()
    ).values_list("product_id", "standard__code", "status", "expires_on")
    by_product = defaultdict(list)
    for product_id, code, status, expires_on in rows.iterator(chunk_size=20000):
        by_product[product_id].append(_Row(code, status, expires_on))
    return {product_id: dtac(product_rows, day) for product_id, product_rows in by_product.items()}


def proven_product_ids(day):
    """Live products whose DTAC state is passed today: what "proven" means on the dashboard."""
    return {pk for pk, state in dtac_states(day).items() if state.passed}


# --- Spread ---------------------------------------------------------------------------------


def spread(today):
    from registry.models import Adoption, Category, ProductPage

    confirmed = Adoption.objects.filter(confirmed=True, product__in=_live_product_ids())
    first_years = Counter(
        first.year
        for first in confirmed.values("organisation")
        .annotate(first=Min("since"))
        .values_list("first", flat=True)
        if first
    )
    over_time = []
    if first_years:
        total = 0
        for year in range(min(first_years), today.year + 1):
            total += first_years.get(year, 0)
            over_time.append([year, first_years.get(year, 0), total])

    by_place = Counter(
        (row["organisation__region"], row["organisation__kind"])
        for row in confirmed.values("organisation", "organisation__region", "organisation__kind")
        .distinct()
        .order_by()
    )
    region_kind_rows = []
    for region, region_label in [*Region.choices, ("", "National or no region")]:
        counts = [by_place.get((region, kind.value), 0) for kind in NHS_KINDS]
        region_kind_rows.append(
            [
                region_label,
                *[
                    cell(count, _organisations_list(region=region, kind=kind.value))
                    for count, kind in zip(counts, NHS_KINDS, strict=True)
                ],
                sum(counts),
            ]
        )

    categories = {category.pk: category for category in Category.objects.all()}
    per_category = (
        confirmed.values("product__category")
        .annotate(
            organisations=Count("organisation", distinct=True),
            products=Count("product", distinct=True),
            regions=Count(
                "organisation__region", distinct=True, filter=~Q(organisation__region="")
            ),
        )
        .order_by("-organisations")
    )
    category_rows = []
    for row in per_category:
        category = categories[row["product__category"]]
        category_rows.append(
            [
                cell(category.name, f"/products/category/{category.slug}/"),
                row["organisations"],
                row["products"],
                row["regions"],
            ]
        )

    per_product = (
        confirmed.values("product", "product__title", "product__category__name")
        .annotate(
            organisations=Count("organisation", distinct=True),
            regions=Count(
                "organisation__region", distinct=True, filter=~Q(organisation__region="")
            ),
        )
        .order_by("-organisations", "product__title")[:20]
    )
    product_rows = [
        [
            cell(row["product__title"], _product_admin(row["product"])),
            row["product__category__name"],
            row["organisations"],
            row["regions"],
        ]
        for row in per_product
    ]
    listed = sorted(formulary_counts().items(), key=lambda item: -item[1])[:20]
    titles = dict(
        ProductPage.objects.filter(pk__in=[pk for pk, _ in listed]).values_list("pk", "title")
    )
    formulary_rows = [
        [cell(titles.get(pk, pk), _product_admin(pk)), n] for pk, n in listed if pk in titles
    ]
    return {
        "sections": [
            section(
                "over-time",
                "Confirmed adopting organisations over time",
                ["Year", "Adopted a first product", "Adopting organisations by the year's end"],
                over_time,
                chart=_chart("line", over_time, {"Adopting organisations": 2}),
                note="Counted from the year each organisation's first confirmed adoption went "
                "live; adoptions with no date are not counted by year.",
            ),
            section(
                "by-region-and-kind",
                "Adopting organisations by NHS England region and kind",
                ["Region", *[kind.label for kind in NHS_KINDS], "All kinds"],
                region_kind_rows,
                chart=_chart(
                    "stacked",
                    region_kind_rows,
                    {kind.label: i + 1 for i, kind in enumerate(NHS_KINDS)},
                ),
            ),
            _bar_section(
                "by-category",
                "Adopting organisations per category",
                ["Category", "Adopting organisations", "Products adopted", "Regions"],
                category_rows,
                count_column=1,
            ),
            _bar_section(
                "by-product",
                "The 20 most adopted products",
                ["Product", "Category", "Adopting organisations", "Regions"],
                product_rows,
                count_column=2,
            ),
            _bar_section(
                "on-formularies",
                "Products on the most local formularies",
                ["Product", "Published formularies listing it"],
                formulary_rows,
                count_column=1,
            ),
        ]
    }


def _value(maybe_cell):
    return maybe_cell["v"] if isinstance(maybe_cell, dict) else maybe_cell


def _bar_section(key, title, columns, rows, count_column):
    """A section charted as bars: one a row, labelled by its first column, as long as the
    count in `count_column`."""
    chart = _bar([_value(row[0]) for row in rows], [row[count_column] for row in rows])
    return section(key, title, columns, rows, chart=chart)


def _chart(kind, rows, series):
    """A line or stacked chart of `rows`, a point a row labelled by its first column; `series`
    names each line or stack and says where its values are: a column, or a function of a row."""

    def read(how, row):
        return how(row) if callable(how) else _value(row[how])

    return {
        "type": kind,
        "labels": [_value(row[0]) for row in rows],
        "series": {name: [read(how, row) for row in rows] for name, how in series.items()},
    }


def _bar(labels, values):
    return {"type": "bar", "labels": labels, "series": {"Count": values}}


# --- Ready to spread ------------------------------------------------------------------------

ESF_POINTS = {"C": 10, "B": 5, "A": 0}
DTAC_POINTS = {DtacState.PASSED: 30, DtacState.LAPSED: 10}
STANDARDS_POINTS = 20  # times the share of the product's standards rows that are current
OUTCOME_POINTS, OUTCOMES_COUNTED = 4, 5  # per measured outcome, up to five
ADOPTER_PENALTY, ADOPTERS_COUNTED = 1, 20  # per adopting organisation, up to twenty
REGION_PENALTY = 3  # per region covered, seven regions at most


def readiness_score(esf_tier, dtac, standards_current, standards_total, outcomes,
                    adopters, regions):  # fmt: skip
    """Strong proof, little spread: proof points (ESF tier, DTAC, standards current, measured
    outcomes) less spread points (adopters, regions). docs/insight.md explains each term."""
    proof = (
        ESF_POINTS.get(esf_tier, 0)
        + DTAC_POINTS.get(dtac, 0)
        + (round(STANDARDS_POINTS * standards_current / standards_total) if standards_total else 0)
        + OUTCOME_POINTS * min(outcomes, OUTCOMES_COUNTED)
    )
    spread_points = ADOPTER_PENALTY * min(adopters, ADOPTERS_COUNTED) + REGION_PENALTY * regions
    return proof - spread_points


def ready_to_spread(today):
    from assessments.models import ProductCompliance
    from registry.models import Adoption, CaseStudyOutcome, ProductPage

    live = ProductPage.objects.live().public()
    products = {
        row["pk"]: row
        for row in live.values("pk", "title", "esf_tier", "category__name", "category__slug")
    }
    care_settings = defaultdict(list)
    for product_id, slug in ProductPage.care_settings.through.objects.filter(
        productpage__in=live.values("pk")
    ).values_list("productpage_id", "caresetting__slug"):
        care_settings[product_id].append(slug)
    current = dict(
        ProductCompliance.objects.filter(product__in=live.values("pk"))
        .values("product")
        .annotate(
            current=Count(
                "pk",
                filter=Q(status="met") & (Q(expires_on__isnull=True) | Q(expires_on__gte=today)),
            ),
        )
        .values_list("product", "current")
    )
    totals = dict(
        ProductCompliance.objects.filter(product__in=live.values("pk"))
        .exclude(status="not_applicable")
        .values("product")
        .annotate(total=Count("pk"))
        .values_list("product", "total")
    )
    outcomes = dict(
        CaseStudyOutcome.objects.filter(
            case_study__live=True, case_study__product_links__product__in=live.values("pk")
        )
        .values("case_study__product_links__product")
        .annotate(n=Count("pk", distinct=True))
        .values_list("case_study__product_links__product", "n")
    )
    spread_rows = {
        row["product"]: row
        for row in Adoption.objects.filter(confirmed=True, product__in=live.values("pk"))
        .values("product")
        .annotate(
            adopters=Count("organisation", distinct=True),
            regions=Count(
                "organisation__region", distinct=True, filter=~Q(organisation__region="")
            ),
        )
    }
    formularies = formulary_counts()
    states = dtac_states(today)
    not_assessed = Dtac(DtacState.NOT_ASSESSED, "")
    scored = []
    for pk, product in products.items():
        state = states.get(pk, not_assessed)
        spread_row = spread_rows.get(pk, {"adopters": 0, "regions": 0})
        factors = {
            "esf_tier": product["esf_tier"],
            "dtac": state.state,
            "standards_current": current.get(pk, 0),
            "standards_total": totals.get(pk, 0),
            "outcomes": outcomes.get(pk, 0),
            "adopters": spread_row["adopters"],
            "regions": spread_row["regions"],
        }
        scored.append(
            {
                "pk": pk,
                "title": product["title"],
                "category": product["category__name"],
                "category_slug": product["category__slug"],
                "care_settings": care_settings.get(pk, []),
                "formularies": formularies.get(pk, 0),
                "score": readiness_score(**factors),
                **factors,
            }
        )
    scored.sort(key=lambda p: (-p["score"], p["title"]))
    kept, per_category = [], Counter()
    for product in scored:
        if per_category[product["category_slug"]] < READY_PER_CATEGORY:
            per_category[product["category_slug"]] += 1
            kept.append(product)
    return {"products": kept, "scored": len(scored)}


READY_COLUMNS = [
    ("score", "Score"),
    ("title", "Product"),
    ("category", "Category"),
    ("esf_tier", "ESF tier"),
    ("dtac", "DTAC"),
    ("standards_current", "Standards current"),
    ("outcomes", "Measured outcomes"),
    ("adopters", "Adopters"),
    ("regions", "Regions"),
    ("formularies", "Formularies"),
]


def ready_section(products, limit=25):
    rows = []
    for p in products[:limit]:
        rows.append(
            [
                p["score"],
                cell(p["title"], _product_admin(p["pk"])),
                cell(p["category"], f"/products/category/{p['category_slug']}/"),
                p["esf_tier"],
                DtacState.LABELS[p["dtac"]],
                f"{p['standards_current']} of {p['standards_total']}",
                p["outcomes"],
                p["adopters"],
                p["regions"],
                p["formularies"],
            ]
        )
    return section(
        "ready",
        "Products ready to spread",
        [label for _, label in READY_COLUMNS],
        rows,
        chart=_bar([_value(r[1]) for r in rows[:15]], [r[0] for r in rows[:15]]),
        note="Score: proof points (ESF tier, DTAC, standards current, measured outcomes) less "
        "spread points (adopters, regions). See docs/insight.md.",
    )


# --- White space ----------------------------------------------------------------------------


def white_space(today):
    from registry.models import Adoption, Category

    proven = proven_product_ids(today)
    covered = set(
        Adoption.objects.filter(confirmed=True, product__in=proven)
        .values_list("product__category", "organisation__region", "organisation__kind")
        .distinct()
        .order_by()
    )
    regions_by_category = defaultdict(set)
    kinds_by_category = defaultdict(set)
    for category_id, region, kind in covered:
        if region:
            regions_by_category[category_id].add(region)
        kinds_by_category[category_id].add(kind)
    rows = []
    for category in Category.objects.order_by("name"):
        missing_regions = [
            label
            for value, label in Region.choices
            if value not in regions_by_category[category.pk]
        ]
        missing_kinds = [
            kind.label for kind in NHS_KINDS if kind.value not in kinds_by_category[category.pk]
        ]
        rows.append(
            [
                cell(category.name, f"/products/category/{category.slug}/"),
                len(missing_regions),
                "; ".join(missing_regions) or "None",
                len(missing_kinds),
                "; ".join(missing_kinds) or "None",
            ]
        )
    rows.sort(key=lambda row: (-row[1], -row[3], _value(row[0])))
    return {
        "sections": [
            section(
                "white-space",
                "Regions and kinds of organisation with no adopter of a proven product",
                [
                    "Category",
                    "Regions with none",
                    "Which regions",
                    "Kinds with none",
                    "Which kinds",
                ],
                rows,
                chart=_bar([_value(r[0]) for r in rows], [r[1] for r in rows]),
                note=f"Proven: a live product whose DTAC state is passed today "
                f"({len(proven)} products).",
            )
        ]
    }


# --- Assessment pipeline --------------------------------------------------------------------


def percentile(values, fraction):
    """The value below which `fraction` of the values fall (nearest rank), or None."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def assessment_pipeline(today):
    from assessments.models import (
        Criterion,
        Submission,
        SubmissionEvent,
        SubmissionStatus,
    )

    queue = reverse("assessments_admin:queue")
    by_status = dict(
        Submission.objects.values("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    stage_rows = [
        [label, cell(by_status.get(value, 0), f"{queue}?status={value}")]
        for value, label in SubmissionStatus.choices
    ]
    decided_statuses = [SubmissionStatus.APPROVED, SubmissionStatus.REJECTED]
    since = today.replace(day=1) - datetime.timedelta(days=365)
    decided = Submission.objects.filter(
        status__in=decided_statuses,
        decided_at__date__gte=since,
        submitted_at__isnull=False,
    )
    per_month = {
        (row["month"].year, row["month"].month): row
        for row in decided.annotate(month=TruncMonth("decided_at"))
        .values("month")
        .annotate(
            approved=Count("pk", filter=Q(status=SubmissionStatus.APPROVED)),
            rejected=Count("pk", filter=Q(status=SubmissionStatus.REJECTED)),
        )
    }
    target = settings.ASSESSMENT_TARGET_DAYS
    durations_by_month = defaultdict(list)
    for submitted_at, decided_at in decided.values_list("submitted_at", "decided_at"):
        durations_by_month[(decided_at.year, decided_at.month)].append(
            (decided_at - submitted_at).days
        )
    month_rows = []
    month = since.replace(day=1)
    while month <= today:
        key = (month.year, month.month)
        row = per_month.get(key, {"approved": 0, "rejected": 0})
        days = durations_by_month.get(key, [])
        month_rows.append(
            [
                f"{month:%b %Y}",
                row["approved"],
                row["rejected"],
                statistics.median(days) if days else "",
                percentile(days, 0.9) if days else "",
                sum(1 for d in days if d > target),
            ]
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    all_days = [d for days in durations_by_month.values() for d in days]
    open_statuses = [
        SubmissionStatus.SUBMITTED,
        SubmissionStatus.IN_REVIEW,
        SubmissionStatus.CLARIFICATION_REQUESTED,
        SubmissionStatus.CHANGES_REQUESTED,
        SubmissionStatus.AWAITING_SIGN_OFF,
    ]
    overdue_open = Submission.objects.filter(
        status__in=open_statuses,
        submitted_at__lt=timezone.now() - datetime.timedelta(days=target),
    ).count()

    # First-time pass rate: of the submissions an assessor gave verdicts on, the share whose
    # first verdict on every criterion of the section was "met".
    section_of = dict(
        Criterion.objects.filter(section__code__in=["C1", "C2", "C3", "C4", "D"]).values_list(
            "code", "section__code"
        )
    )
    first_verdicts = {}
    for submission_id, detail in (
        SubmissionEvent.objects.filter(action="verdict")
        .order_by("pk")
        .values_list("submission_id", "detail")
    ):
        code = (detail or {}).get("criterion")
        if code in section_of:
            first_verdicts.setdefault((submission_id, code), detail.get("verdict"))
    sections = defaultdict(dict)  # section -> submission -> passed so far
    for (submission_id, code), verdict in first_verdicts.items():
        passed = sections[section_of[code]].get(submission_id, True)
        sections[section_of[code]][submission_id] = passed and verdict == "met"
    pass_rows = []
    for code in ["C1", "C2", "C3", "C4", "D"]:
        results = sections.get(code, {})
        passed = sum(1 for ok in results.values() if ok)
        pass_rows.append(
            [
                f"DTAC {code}",
                len(results),
                passed,
                round(100 * passed / len(results)) if results else "",
            ]
        )
    return {
        "summary": {
            "target_days": target,
            "median_days": statistics.median(all_days) if all_days else None,
            "p90_days": percentile(all_days, 0.9),
            "decided": len(all_days),
            "breaches": sum(1 for d in all_days if d > target),
            "overdue_open": overdue_open,
        },
        "sections": [
            section(
                "by-stage",
                "Submissions by stage",
                ["Stage", "Submissions"],
                stage_rows,
                chart=_bar([r[0] for r in stage_rows], [_value(r[1]) for r in stage_rows]),
            ),
            section(
                "by-month",
                f"Decisions a month, and days to decision against the {target}-day target",
                [
                    "Month",
                    "Approved",
                    "Rejected",
                    "Median days",
                    "90th percentile days",
                    "Over target",
                ],
                month_rows,
                chart=_chart(
                    "line", month_rows, {"Decisions": lambda r: r[1] + r[2], "Over target": 5}
                ),
            ),
            section(
                "first-time-pass",
                "First-time pass rate per DTAC section",
                ["Section", "Submissions reviewed", "Passed first time", "Pass rate (%)"],
                pass_rows,
                chart=_bar([r[0] for r in pass_rows], [r[3] or 0 for r in pass_rows]),
                note="Passed first time: the first verdict on every criterion of the section "
                "was Met. The lowest rates show where innovators most need guidance.",
            ),
        ],
    }


# --- Compliance health ----------------------------------------------------------------------


def compliance_health(today):
    from assessments.models import ProductCompliance

    live_rows = ProductCompliance.objects.filter(product__in=_live_product_ids(), status="met")
    windows = [(0, 30), (31, 60), (61, 90)]
    lapsing = Counter()
    for code, name, expires_on in live_rows.filter(
        expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=90)
    ).values_list("standard__code", "standard__name", "expires_on"):
        days = (expires_on - today).days
        for low, high in windows:
            if low <= days <= high:
                lapsing[(code, name, high)] += 1
    standards = sorted({(code, name) for code, name, _ in lapsing})
    lapsing_rows = [
        [
            f"{name} ({code})",
            *[lapsing.get((code, name, high), 0) for _, high in windows],
        ]
        for code, name in standards
    ]
    lapsed_rows = [
        [f"{row['standard__name']} ({row['standard__code']})", row["n"]]
        for row in live_rows.filter(expires_on__lt=today)
        .values("standard__code", "standard__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "standard__code")
    ]
    states = dtac_states(today)
    horizon = today + datetime.timedelta(days=90)
    lapsing_dtac = sorted(
        (state.valid_until, pk)
        for pk, state in states.items()
        if state.passed and state.valid_until and state.valid_until <= horizon
    )
    from registry.models import ProductPage

    titles = dict(
        ProductPage.objects.filter(pk__in=[pk for _, pk in lapsing_dtac]).values_list("pk", "title")
    )
    dtac_rows = [
        [cell(titles.get(pk, pk), _product_admin(pk)), f"{until:%-d %b %Y}", (until - today).days]
        for until, pk in lapsing_dtac
    ]
    return {
        "sections": [
            section(
                "lapsing",
                "Met standards lapsing in the next 30, 60 and 90 days",
                ["Standard", "In 30 days", "In 31 to 60 days", "In 61 to 90 days"],
                lapsing_rows,
                chart=_chart(
                    "stacked",
                    lapsing_rows,
                    {"In 30 days": 1, "In 31 to 60 days": 2, "In 61 to 90 days": 3},
                ),
            ),
            section(
                "lapsed",
                "Lapsed rows by standard (met, now past their expiry date)",
                ["Standard", "Live products with it lapsed"],
                lapsed_rows,
                chart=_bar([r[0] for r in lapsed_rows], [r[1] for r in lapsed_rows]),
            ),
            section(
                "dtac-lapsing",
                "Listings whose DTAC state will lapse in the next 90 days",
                ["Product", "Passed until", "Days left"],
                dtac_rows,
                chart=None,
            ),
        ]
    }


# --- Unmet demand ---------------------------------------------------------------------------

#: A search "found little" when it found fewer results than this.
FEW_RESULTS = 3
UNMET_WEEKS = 12


def normalise_words(query):
    """Searches grouped as people mean them: case, punctuation and word order set aside."""
    words = "".join(ch if ch.isalnum() or ch in "&+" else " " for ch in query.lower()).split()
    return " ".join(sorted(set(words)))


def unmet_demand(today):
    from search.models import SearchQueryLog

    since = timezone.now() - datetime.timedelta(weeks=UNMET_WEEKS)
    unmet = SearchQueryLog.objects.filter(created_at__gte=since, result_count__lt=FEW_RESULTS)
    weekly = {
        row["week"].date(): row
        for row in unmet.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            nothing=Count("pk", filter=Q(result_count=0)),
            little=Count("pk", filter=Q(result_count__gt=0)),
        )
    }
    first_week = (since - datetime.timedelta(days=since.weekday())).date()
    week_rows = []
    week = first_week
    while week <= today:
        row = weekly.get(week, {"nothing": 0, "little": 0})
        week_rows.append([f"{week:%-d %b %Y}", row["nothing"], row["little"]])
        week += datetime.timedelta(weeks=1)
    groups = {}
    for query, searches, nothing in (
        unmet.exclude(query="")
        .values("query")
        .annotate(searches=Count("pk"), nothing=Count("pk", filter=Q(result_count=0)))
        .values_list("query", "searches", "nothing")
        .iterator(chunk_size=20000)
    ):
        key = normalise_words(query)
        if not key:
            continue
        group = groups.setdefault(key, {"searches": 0, "nothing": 0, "forms": Counter()})
        group["searches"] += searches
        group["nothing"] += nothing
        group["forms"][query] += searches
    report = reverse("search_reports:index")
    top = sorted(groups.items(), key=lambda item: (-item[1]["searches"], item[0]))[:50]
    group_rows = []
    for _, group in top:
        common = group["forms"].most_common(1)[0][0]
        group_rows.append(
            [
                cell(common, f"/search/?q={_quote(common)}"),
                cell(group["searches"], f"{report}?period=90&show=none"),
                group["nothing"],
                "; ".join(form for form, _ in group["forms"].most_common(4)),
            ]
        )
    return {
        "sections": [
            section(
                "over-time",
                f"Searches that found nothing or little, by week (last {UNMET_WEEKS} weeks)",
                ["Week starting", "Found nothing", f"Found 1 to {FEW_RESULTS - 1}"],
                week_rows,
                chart=_chart(
                    "line", week_rows, {"Found nothing": 1, f"Found 1 to {FEW_RESULTS - 1}": 2}
                ),
                note="A search counts once per visitor and words: reloads and later pages of "
                "the same search are not new searches.",
            ),
            section(
                "groups",
                "What people looked for and did not find (top 50)",
                ["Words (most common form)", "Searches", "Found nothing", "Forms seen"],
                group_rows,
                chart=_bar(
                    [_value(r[0]) for r in group_rows[:15]], [_value(r[1]) for r in group_rows[:15]]
                ),
            ),
        ]
    }


def _quote(text):
    from urllib.parse import quote_plus

    return quote_plus(text)


# --- Formularies ----------------------------------------------------------------------------


def formulary_counts():
    """{product id: how many public formularies list it} (the lists anyone may read:
    `Formulary.objects.public()`)."""
    from formularies.models import Formulary, FormularyEntry

    return dict(
        FormularyEntry.objects.filter(formulary__in=Formulary.objects.public())
        .values("product")
        .annotate(n=Count("formulary", distinct=True))
        .values_list("product", "n")
    )


PANELS = {
    "spread": ("Spread", spread),
    "ready-to-spread": ("Ready to spread", ready_to_spread),
    "white-space": ("White space", white_space),
    "assessment-pipeline": ("Assessment pipeline", assessment_pipeline),
    "compliance-health": ("Compliance health", compliance_health),
    "unmet-demand": ("Unmet demand", unmet_demand),
}
