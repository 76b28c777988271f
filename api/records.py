"""Public records as the API shows them: what each endpoint returns, and what a mirror
built from the changes feed holds. Only what the public site shows is here: no contact
addresses, no people's names, no unconfirmed adoptions, no private evidence.

Badges come from proof/rules.py (the DTAC state and its reason) and effective statuses
from the compliance rows themselves; nothing here works a badge out a second time.
"""

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from assessments.models import ProductCompliance, StandardCategory
from formularies.models import Formulary, FormularyEntry
from interchange.exporter import case_study_id, organisation_id, product_id
from interchange.richtext import html_to_paragraphs, stream_to_paragraphs
from proof import rules
from registry.models import (
    Adoption,
    BestPracticePage,
    CaseStudyPage,
    CaseStudyProduct,
    EvidenceItem,
    ProductPage,
)

from .models import Change, ChangeKind


def _attributes(instance, *names):
    """The record's fields that are the model's own, under the same names and unchanged."""
    return {name: getattr(instance, name) for name in names}


def with_updated_at(queryset, kind, name="updated_at"):
    """Annotate each record with when its last change was recorded (the feed's time), as
    `name` (another name where the model has a field of its own called updated_at)."""
    latest = (
        Change.objects.filter(kind=kind, object_id=OuterRef("pk"))
        .order_by("-recorded_at")
        .values("recorded_at")[:1]
    )
    return queryset.annotate(**{name: Subquery(latest)})


def absolute(request, page):
    url = page.get_url(request=request)
    return request.build_absolute_uri(url) if url else ""


def organisation_ref(organisation):
    return {
        "id": organisation.pk,
        "name": organisation.name,
        "ods_code": organisation.ods_code,
        "region": organisation.region,
    }


# --- Products -------------------------------------------------------------------------------


def visible_products():
    return ProductPage.objects.live().public()


def product_queryset(detail=False):
    products = (
        with_updated_at(visible_products(), ChangeKind.PRODUCT)
        .select_related("supplier", "category")
        .prefetch_related(
            "care_settings",
            "tagged_clinical_areas__tag",
            Prefetch(
                "compliance",
                queryset=ProductCompliance.objects.select_related(
                    "standard", "evidence_document"
                ).order_by("standard__category", "standard__sort_order", "standard__code"),
            ),
        )
        .annotate(
            adoption_count=Count("adoptions", filter=Q(adoptions__confirmed=True), distinct=True)
        )
    )
    if detail:
        products = products.prefetch_related(
            Prefetch("evidence", queryset=EvidenceItem.objects.order_by("sort_order", "pk")),
            Prefetch(
                "adoptions",
                queryset=Adoption.objects.filter(confirmed=True)
                .select_related("organisation")
                .order_by("organisation__name", "pk"),
                to_attr="confirmed_adoptions",
            ),
            Prefetch(
                "case_study_links",
                queryset=CaseStudyProduct.objects.filter(
                    case_study__in=CaseStudyPage.objects.live().public()
                )
                .select_related("case_study")
                .order_by("-case_study__published_on", "case_study_id"),
                to_attr="visible_case_study_links",
            ),
        )
    return products


def dtac_record(compliance_rows, today):
    state = rules.dtac(compliance_rows, today)
    return {
        "state": state.state,
        "label": state.label,
        "reason": state.reason,
        "valid_until": state.valid_until,
    }


def compliance_record(request, row, today):
    document = row.evidence_document
    return {
        "standard": {
            "id": row.standard.pk,
            "code": row.standard.code,
            "name": row.standard.name,
            "category": row.standard.category,
        },
        "status": row.status,
        "effective_status": "expired" if row.is_expired_on(today) else row.status,
        "expired": row.is_expired_on(today),
        "assessed_on": row.assessed_on,
        "expires_on": row.expires_on,
        "evidence_url": row.evidence_url
        or (request.build_absolute_uri(document.url) if document else ""),
        "notes": row.notes,
    }


def product_summary(request, product, today=None):
    today = today or timezone.localdate()
    compliance = list(product.compliance.all())
    return {
        "id": product.pk,
        "external_id": product.external_id,
        "catalogue_id": product_id(product),
        "name": product.title,
        "slug": product.slug,
        "url": absolute(request, product),
        "summary": product.summary,
        "supplier": {
            "id": product.supplier.pk,
            "name": product.supplier.name,
            "companies_house_number": product.supplier.companies_house_number,
        },
        "category": {
            "id": product.category.pk,
            "slug": product.category.slug,
            "name": product.category.name,
        },
        "care_settings": [
            {"id": setting.pk, "slug": setting.slug, "name": setting.name}
            for setting in sorted(product.care_settings.all(), key=lambda s: s.name)
        ],
        "clinical_areas": sorted(
            (item.tag.name for item in product.tagged_clinical_areas.all()), key=str.casefold
        ),
        **_attributes(
            product,
            "esf_tier",
            "device_class",
            "conformity_marking",
            "pricing_model",
            "deployment_model",
            "website",
            "last_reviewed_on",
        ),
        "dtac": dtac_record(compliance, today),
        "standards_met": [row.standard.code for row in compliance if rules.is_met_on(row, today)],
        "adoption_count": product.adoption_count,
        "first_published_at": product.first_published_at,
        "updated_at": product.updated_at,
    }


def product_detail(request, product):
    today = timezone.localdate()
    record = product_summary(request, product, today)
    record["description"] = stream_to_paragraphs(product.description)[0]
    record["evidence"] = [
        {
            **_attributes(item, "evidence_type", "title", "year", "summary", "outcomes", "link"),
            "url": item.url or "",
        }
        for item in product.evidence.all()
    ]
    record["compliance"] = [
        compliance_record(request, row, today) for row in product.compliance.all()
    ]
    record["adoptions"] = [
        {
            "organisation": organisation_ref(adoption.organisation),
            "since": adoption.since,
            "scale": adoption.scale,
        }
        for adoption in product.confirmed_adoptions
    ]
    record["case_studies"] = [
        {"id": link.case_study.pk, "title": link.case_study.title}
        for link in product.visible_case_study_links
    ]
    return record


def met_today(codes):
    today = timezone.localdate()
    return ProductCompliance.objects.filter(
        product=OuterRef("pk"), standard__code__in=codes, status=rules.MET
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def dtac_passed():
    """Every group of proof.rules.DTAC_REQUIREMENTS has a code met until at least today."""
    condition = Q()
    for group in rules.DTAC_REQUIREMENTS:
        condition &= Exists(met_today(group))
    return condition


ADOPTION_BANDS = {"none": (0, 0), "1-4": (1, 4), "5-19": (5, 19), "20+": (20, None)}


def filter_products(products, filters):
    """The search page's filters, applied in the database. Several values of one filter
    match any of them; different filters must all match."""
    if filters.category:
        products = products.filter(category__slug__in=filters.category)
    if filters.care_setting:
        products = products.filter(
            Exists(
                ProductPage.care_settings.through.objects.filter(
                    productpage_id=OuterRef("pk"), caresetting__slug__in=filters.care_setting
                )
            )
        )
    if filters.clinical_area:
        condition = Q()
        for name in filters.clinical_area:
            condition |= Q(tag__name__iexact=name)
        products = products.filter(
            Exists(
                ProductPage.tagged_clinical_areas.rel.related_model.objects.filter(
                    condition, content_object=OuterRef("pk")
                )
            )
        )
    if filters.esf_tier:
        products = products.filter(esf_tier__in=filters.esf_tier)
    if filters.standard:
        codes = [code.upper() for code in filters.standard]
        products = products.filter(Exists(met_today(codes)))
    if filters.integration:
        codes = [code.upper() for code in filters.integration]
        products = products.filter(
            Exists(met_today(codes).filter(standard__category=StandardCategory.INTEROPERABILITY))
        )
    if filters.dtac:
        wanted = set(filters.dtac)
        if wanted == {"passed"}:
            products = products.filter(dtac_passed())
        elif wanted == {"not_passed"}:
            products = products.exclude(dtac_passed())
    if filters.region:
        products = products.filter(
            Exists(
                Adoption.objects.filter(
                    product=OuterRef("pk"),
                    confirmed=True,
                    organisation__region__in=filters.region,
                )
            )
        )
    if filters.adoption:
        condition = Q()
        for band in filters.adoption:
            low, high = ADOPTION_BANDS[band]
            band_q = Q(adoption_count__gte=low)
            if high is not None:
                band_q &= Q(adoption_count__lte=high)
            condition |= band_q
        products = products.filter(condition)
    if filters.deployment:
        products = products.filter(deployment_model__in=filters.deployment)
    return products


# --- Organisations and vocabularies -----------------------------------------------------------


def organisation_record(request, organisation):
    return {
        "id": organisation.pk,
        "external_id": organisation.external_id,
        "catalogue_id": organisation_id(organisation),
        **_attributes(
            organisation,
            "name",
            "kind",
            "ods_code",
            "companies_house_number",
            "region",
            "website",
            "updated_at",
        ),
    }


def standard_record(request, standard):
    return {
        "id": standard.pk,
        **_attributes(
            standard,
            "code",
            "name",
            "category",
            "issuing_body",
            "version",
            "url",
            "description",
            "expires",
            "validity_months",
        ),
        "part_of": standard.part_of_id,
        **_attributes(standard, "is_active", "updated_at"),
    }


def vocabulary_record(request, term):
    return {
        "id": term.pk,
        **_attributes(term, "slug", "name", "description", "updated_at"),
    }


# --- Case studies and guides ----------------------------------------------------------------


def visible_case_studies():
    return CaseStudyPage.objects.live().public()


def _visible_product_rows(lookup, row_model, to_attr, order=("sort_order", "pk")):
    """Prefetch a record's rows that name a product (links, formulary entries), only those
    whose product anyone may see, each with its product."""
    return Prefetch(
        lookup,
        queryset=row_model.objects.filter(product__in=visible_products())
        .select_related("product")
        .order_by(*order),
        to_attr=to_attr,
    )


def case_study_queryset():
    return (
        with_updated_at(visible_case_studies(), ChangeKind.CASE_STUDY)
        .select_related("organisation")
        .prefetch_related(
            "outcomes",
            "tagged_items__tag",
            _visible_product_rows("product_links", CaseStudyProduct, "visible_product_links"),
        )
    )


def case_study_record(request, case_study):
    return {
        "id": case_study.pk,
        "external_id": case_study.external_id,
        "catalogue_id": case_study_id(case_study),
        "title": case_study.title,
        "slug": case_study.slug,
        "url": absolute(request, case_study),
        "summary": case_study.summary,
        "organisation": organisation_ref(case_study.organisation),
        "products": [
            {"id": link.product.pk, "name": link.product.title}
            for link in case_study.visible_product_links
        ],
        "challenge": html_to_paragraphs(case_study.challenge)[0],
        "solution": html_to_paragraphs(case_study.solution)[0],
        "costs": html_to_paragraphs(case_study.costs)[0],
        "lessons_learnt": html_to_paragraphs(case_study.lessons_learnt)[0],
        "outcomes": [
            {
                "metric": outcome.metric,
                "before": float(outcome.before),
                "after": float(outcome.after),
                "unit": outcome.unit,
                "period": outcome.period,
            }
            for outcome in case_study.outcomes.all()
        ],
        "published_on": case_study.published_on,
        "tags": sorted((item.tag.name for item in case_study.tagged_items.all()), key=str.casefold),
        "updated_at": case_study.updated_at,
    }


def guide_queryset():
    return with_updated_at(
        BestPracticePage.objects.live().public(), ChangeKind.GUIDE
    ).prefetch_related(
        "tagged_items__tag",
        _visible_product_rows(
            "product_links",
            BestPracticePage.product_links.rel.related_model,
            "visible_product_links",
        ),
    )


def guide_record(request, guide):
    return {
        "id": guide.pk,
        "title": guide.title,
        "slug": guide.slug,
        "url": absolute(request, guide),
        "summary": guide.summary,
        "body": stream_to_paragraphs(guide.body)[0],
        "featured": guide.featured,
        "tags": sorted((item.tag.name for item in guide.tagged_items.all()), key=str.casefold),
        "products": [
            {"id": link.product.pk, "name": link.product.title}
            for link in guide.visible_product_links
        ],
        "first_published_at": guide.first_published_at,
        "updated_at": guide.updated_at,
    }


# --- Formularies -----------------------------------------------------------------------------


def formulary_queryset():
    """Public formularies (formularies.models.FormularyQuerySet.public) with the entries
    for products the API lists, in the order of the formulary's own page."""
    return (
        with_updated_at(Formulary.objects.public(), ChangeKind.FORMULARY, "updated_at_in_feed")
        .select_related("organisation")
        .prefetch_related(
            _visible_product_rows(
                "entries", FormularyEntry, "listed_entries", order=("product__title", "product_id")
            )
        )
    )


def formulary_record(request, formulary):
    organisation = formulary.organisation
    return {
        "id": formulary.pk,
        "organisation": {**organisation_ref(organisation), "kind": organisation.kind},
        "url": request.build_absolute_uri(reverse("formulary", args=[organisation.pk])),
        "introduction": formulary.introduction,
        "products": [
            {
                "product": {"id": entry.product.pk, "name": entry.product.title},
                "note": entry.note,
                "added_on": timezone.localdate(entry.added_at),
            }
            for entry in formulary.listed_entries
        ],
        "updated_at": formulary.updated_at_in_feed,
    }


# --- Adoption statistics --------------------------------------------------------------------


def adoption_statistics():
    adoptions = Adoption.objects.filter(confirmed=True, product__in=visible_products())
    by_region = (
        adoptions.values(region=F("organisation__region"))
        .annotate(
            adoptions=Count("pk"),
            organisations=Count("organisation", distinct=True),
            products=Count("product", distinct=True),
        )
        .order_by("region")
    )
    by_category = (
        adoptions.values(slug=F("product__category__slug"), name=F("product__category__name"))
        .annotate(adoptions=Count("pk"), products=Count("product", distinct=True))
        .order_by("slug")
    )
    by_scale = adoptions.values("scale").annotate(adoptions=Count("pk")).order_by("scale")
    return {
        "products": visible_products().count(),
        "products_adopted": adoptions.values("product").distinct().count(),
        "confirmed_adoptions": adoptions.count(),
        "adopting_organisations": adoptions.values("organisation").distinct().count(),
        "by_region": [dict(row) for row in by_region],
        "by_category": [dict(row) for row in by_category],
        "by_scale": [dict(row) for row in by_scale],
    }
