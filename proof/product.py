"""A product's proof as its page shows it: evidence, standards compliance and adoption,
loaded in a fixed number of queries, with the badges read through proof.rules.

The product page gets it from the `product_proof` template tag (proof/templatetags), so the
page model imports nothing from this layer; the comparison and the shortlist's frozen
records load it the same way.
"""

import statistics
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property
from modelcluster.queryset import FakeQuerySet

from assessments.models import ProductCompliance, Standard, StandardCategory
from registry.models import Adoption, CaseStudyPage, EvidenceItem

from . import rules


class ProductProof:
    """Everything the product page shows, loaded in a fixed number of queries.

    The page must not issue a query per evidence item, standard or adopter, however many
    there are; the query-count test in tests/registry/test_product_page.py holds this to account.
    """

    def __init__(self, product, evidence, compliance, standards, adoptions, case_studies):
        self.product = product
        self.evidence = evidence
        self.adoptions = adoptions
        self.case_studies = case_studies
        self.standard_groups = self._group_standards(compliance, standards)

    @classmethod
    def load(cls, product):
        evidence = list(product.evidence.all())
        held = product.compliance.all()
        if isinstance(held, FakeQuerySet):
            # A draft in the editor's preview or a revision: the rows it holds, not the
            # live page's, so the preview shows the badges the live page will.
            compliance = list(held)
        else:
            compliance = list(
                ProductCompliance.objects.filter(product=product).select_related(
                    "standard", "evidence_document"
                )
            )
        standards = list(Standard.objects.filter(is_active=True).select_related("part_of"))
        adoptions = list(
            product.adoptions.select_related("organisation").order_by("organisation__name")
        )
        case_studies = list(
            CaseStudyPage.objects.live()
            .public()
            .filter(product_links__product=product)
            .select_related("organisation")
            .prefetch_related("outcomes")
            .order_by("-published_on")
            .distinct()
        )
        return cls(product, evidence, compliance, standards, adoptions, case_studies)

    @classmethod
    def load_many(cls, products):
        """The proofs of several published products (a comparison), in the same fixed number
        of queries as one product's, however many there are. Rows are read from the database:
        for a draft in the editor's preview, `load` reads the rows the draft holds."""
        products = list(products)
        ids = [product.pk for product in products]
        evidence = _by(EvidenceItem.objects.filter(product_id__in=ids), "product_id")
        compliance = _by(
            ProductCompliance.objects.filter(product_id__in=ids).select_related(
                "standard", "evidence_document"
            ),
            "product_id",
        )
        standards = list(Standard.objects.filter(is_active=True).select_related("part_of"))
        adoptions = _by(
            Adoption.objects.filter(product_id__in=ids)
            .select_related("organisation")
            .order_by("organisation__name"),
            "product_id",
        )
        case_studies = _by(
            CaseStudyPage.objects.live()
            .public()
            .filter(product_links__product_id__in=ids)
            .annotate(proof_of_product_id=F("product_links__product_id"))
            .select_related("organisation")
            .prefetch_related("outcomes")
            .order_by("-published_on")
            .distinct(),
            "proof_of_product_id",
        )
        return [
            cls(
                product,
                evidence[product.pk],
                compliance[product.pk],
                standards,
                adoptions[product.pk],
                case_studies[product.pk],
            )
            for product in products
        ]

    @staticmethod
    def _group_standards(compliance, standards):
        rows_by_standard = {row.standard_id: row for row in compliance}
        groups = OrderedDict()
        for standard in sorted(standards, key=lambda s: (s.category_order, s.sort_order, s.code)):
            row = rows_by_standard.pop(standard.pk, None)
            groups.setdefault(standard.get_category_display(), []).append((standard, row))
        # Rows for standards since retired from the catalogue are still shown.
        for row in rows_by_standard.values():
            groups.setdefault(row.standard.get_category_display(), []).append((row.standard, row))
        return groups

    @cached_property
    def evidence_by_type(self):
        counts = OrderedDict()
        for item in self.evidence:
            counts[item.get_evidence_type_display()] = (
                counts.get(item.get_evidence_type_display(), 0) + 1
            )
        return counts

    @cached_property
    def confirmed_adoptions(self):
        return [a for a in self.adoptions if a.confirmed]

    @cached_property
    def adopter_regions(self):
        regions = {a.organisation.get_region_display() for a in self.confirmed_adoptions}
        return sorted(r for r in regions if r)

    # --- Where it's used: worked out from the rows already loaded, so no extra queries ---

    @cached_property
    def adopters_by_region(self):
        """[(region label, confirmed adopters)], most first; national bodies as National."""
        return _count_by(
            self.confirmed_adoptions,
            lambda a: a.organisation.get_region_display() if a.organisation.region else "National",
        )

    @cached_property
    def adopters_by_kind(self):
        return _count_by(self.confirmed_adoptions, lambda a: a.organisation.get_kind_display())

    @cached_property
    def adoption_over_time(self):
        """[(year, went live that year, confirmed adopters by the end of it)] from the first
        year any confirmed adopter went live to this year; adopters with no date are left
        out (`adopters_without_date` says how many)."""
        years = sorted(a.since.year for a in self.confirmed_adoptions if a.since)
        if not years:
            return []
        rows, total = [], 0
        for year in range(years[0], max(years[-1], timezone.localdate().year) + 1):
            started = years.count(year)
            total += started
            rows.append((year, started, total))
        return rows

    @cached_property
    def adopters_without_date(self):
        return sum(1 for a in self.confirmed_adoptions if not a.since)

    @cached_property
    def outcomes_across_sites(self):
        """The case studies' outcome rows summarised per metric (same words and unit): how
        many sites measured it, the median change and the range of changes."""
        return summarise_outcomes(
            (study.organisation_id, outcome)
            for study in self.case_studies
            for outcome in study.outcomes.all()
        )

    @cached_property
    def rows(self):
        """Every compliance row of the product, retired standards included."""
        return tuple(row for rows in self.standard_groups.values() for _, row in rows if row)

    @cached_property
    def standing(self):
        """The badges, from proof.rules: DTAC state, standards met and expired, today."""
        return rules.standing(
            self.rows, timezone.localdate(), self.product.esf_tier, len(self.confirmed_adoptions)
        )

    standards_met_count = property(attrgetter("standing.standards_met_count"))
    expired_count = property(attrgetter("standing.standards_expired_count"))
    #: The DTAC state (proof.rules.Dtac), derived from its sections and their dependencies;
    #: never the DTAC row read alone.
    dtac = property(attrgetter("standing.dtac"))

    @cached_property
    def dtac_row(self):
        """The DTAC row as assessed, for its dates."""
        return next((row for row in self.rows if row.standard.code == "DTAC"), None)

    @cached_property
    def dtac_sections(self):
        """{section code: proof.rules.Dtac} for each DTAC section, today."""
        day = timezone.localdate()
        return {
            code: rules.dtac_section(code, self.rows, day)
            for code in rules.DTAC_SECTION_REQUIREMENTS
        }

    def status_label(self, standard, row):
        """A row's status in words: the derived state for the DTAC and its sections, the
        status as the public sees it today for every other standard."""
        if standard.code == "DTAC":
            return self.dtac.label
        if standard.code in self.dtac_sections:
            return self.dtac_sections[standard.code].label
        return row.effective_status_label

    @cached_property
    def integrations(self):
        """Names of the interoperability standards met and unexpired, as the index counts
        them."""
        return [
            standard.name
            for rows in self.standard_groups.values()
            for standard, row in rows
            if standard.category == StandardCategory.INTEROPERABILITY
            and row
            and row.effective_status == "met"
        ]

    @cached_property
    def last_assessed_on(self):
        dates = [
            row.assessed_on
            for rows in self.standard_groups.values()
            for _, row in rows
            if row and row.assessed_on
        ]
        return max(dates) if dates else None


def _by(rows, attribute):
    """{value of attribute: [rows with it, in the order read]}; a missing value reads []."""
    grouped = defaultdict(list)
    for row in rows:
        grouped[getattr(row, attribute)].append(row)
    return grouped


def _count_by(items, key):
    counts = {}
    for item in items:
        label = key(item)
        counts[label] = counts.get(label, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


@dataclass(frozen=True)
class OutcomeSummary:
    metric: str
    unit: str
    sites: int
    median_change: Decimal
    smallest_change: Decimal
    largest_change: Decimal


def summarise_outcomes(site_outcomes):
    """Group (site id, outcome) pairs by metric and unit, ignoring case and spacing of the
    metric; a site that measured the same thing twice counts once, with its median change."""
    groups = {}
    for site_id, outcome in site_outcomes:
        key = (" ".join(outcome.metric.split()).lower(), outcome.unit.strip())
        group = groups.setdefault(key, {"metric": " ".join(outcome.metric.split()), "sites": {}})
        group["sites"].setdefault(site_id, []).append(outcome.after - outcome.before)
    summaries = []
    for (_, unit), group in groups.items():
        changes = [statistics.median(values) for values in group["sites"].values()]
        summaries.append(
            OutcomeSummary(
                metric=group["metric"],
                unit=unit,
                sites=len(changes),
                median_change=statistics.median(changes),
                smallest_change=min(changes),
                largest_change=max(changes),
            )
        )
    return sorted(summaries, key=lambda s: (-s.sites, s.metric.lower()))
