"""`manage.py seed_demo`: deterministic, valid, published demo data that Wagtail can edit."""

import datetime
import json
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from wagtail.models import Page

from assessments.models import ProductCompliance
from demo.loader import load_catalogue
from demo.plan import build_plan
from registry.choices import EvidenceType, Region
from registry.models import (
    SUMMARY_MAX_LENGTH,
    Adoption,
    BestPracticePage,
    CaseStudyIndexPage,
    CaseStudyOutcome,
    CaseStudyPage,
    EvidenceItem,
    Organisation,
    ProductIndexPage,
    ProductPage,
)
from registry.validators import validate_companies_house_number, validate_ods_code

pytestmark = pytest.mark.django_db

PRODUCTS = 30
SEED = 7


def seed(products=PRODUCTS, seed=SEED, **options):
    out = StringIO()
    call_command(
        "seed_demo",
        products=products,
        seed=seed,
        verbosity=0,
        stdout=out,
        stderr=StringIO(),
        **options,
    )
    return out.getvalue()


@pytest.fixture
def seeded():
    return seed()


def snapshot():
    """Everything a user would see, by value (database ids differ from run to run)."""
    return {
        "products": list(
            ProductPage.objects.order_by("path").values_list(
                "title",
                "slug",
                "path",
                "url_path",
                "summary",
                "description",
                "esf_tier",
                "device_class",
                "conformity_marking",
                "pricing_model",
                "translation_key",
                "first_published_at",
                "last_published_at",
                "supplier__companies_house_number",
                "category__slug",
            )
        ),
        "organisations": list(
            Organisation.objects.order_by("external_id").values_list(
                "name", "kind", "region", "ods_code", "companies_house_number", "website"
            )
        ),
        "evidence": list(
            EvidenceItem.objects.order_by("product__path", "sort_order").values_list(
                "product__slug", "evidence_type", "title", "year", "summary", "outcomes", "link"
            )
        ),
        "compliance": list(
            ProductCompliance.objects.order_by("product__path", "sort_order").values_list(
                "product__slug",
                "standard__code",
                "status",
                "assessed_on",
                "expires_on",
                "evidence_url",
                "notes",
            )
        ),
        "adoptions": list(
            Adoption.objects.order_by("product__path", "sort_order").values_list(
                "product__slug", "organisation__ods_code", "since", "scale", "confirmed"
            )
        ),
        "case_studies": list(
            CaseStudyPage.objects.order_by("path").values_list(
                "title",
                "slug",
                "organisation__ods_code",
                "summary",
                "challenge",
                "costs",
                "contact_name",
                "contact_email",
                "published_on",
            )
        ),
        "outcomes": list(
            CaseStudyOutcome.objects.order_by("case_study__path", "sort_order").values_list(
                "metric", "before", "after", "unit", "period"
            )
        ),
        "guides": list(
            BestPracticePage.objects.order_by("path").values_list(
                "title", "featured", "product_links__product__slug"
            )
        ),
    }


def seed_and_roll_back(**options):
    with transaction.atomic():
        seed(**options)
        data = snapshot()
        transaction.set_rollback(True)
    return data


# --- Determinism ----------------------------------------------------------------------------


def test_the_plan_depends_only_on_seed_count_and_date():
    catalogue = load_catalogue()
    today = datetime.date(2025, 6, 30)
    first = build_plan(PRODUCTS, SEED, today, catalogue)
    assert first == build_plan(PRODUCTS, SEED, today, catalogue)
    other = build_plan(PRODUCTS, SEED + 1, today, catalogue)
    assert [p.title for p in other.products] != [p.title for p in first.products]
    assert [o.ods_code for o in other.organisations] != [o.ods_code for o in first.organisations]


def test_the_same_seed_on_the_same_day_loads_the_same_data():
    first = seed_and_roll_back()
    assert first["products"] and first["compliance"] and first["case_studies"]
    assert seed_and_roll_back() == first
    assert seed_and_roll_back(seed=SEED + 1)["products"] != first["products"]


def test_dates_count_back_from_the_reference_date():
    today = datetime.date(2024, 2, 29)
    data = seed_and_roll_back(today=today)
    assert all(row[3] is None or row[3] < today for row in data["compliance"])
    assert all(row[2] < today for row in data["adoptions"])
    assert any(row[4] and row[4] < today for row in data["compliance"])
    assert any(row[4] and row[4] > today for row in data["compliance"])


# --- A valid, published page tree -----------------------------------------------------------


def test_the_page_tree_is_valid(seeded):
    assert Page.find_problems() == ([], [], [], [], [])
    index = ProductIndexPage.objects.get()
    assert index.numchild == ProductPage.objects.count() == PRODUCTS
    assert CaseStudyIndexPage.objects.get().numchild == CaseStudyPage.objects.count() > 0
    assert BestPracticePage.objects.filter(featured=True).exists()
    for product in ProductPage.objects.all():
        assert product.url_path == f"/home/products/{product.slug}/"
        assert product.get_parent().specific == index


def test_every_page_is_live_with_its_revision(seeded):
    pages = [
        *ProductPage.objects.all(),
        *CaseStudyPage.objects.all(),
        *BestPracticePage.objects.all(),
    ]
    page_type = ContentType.objects.get_for_model(Page)
    for page in pages:
        assert page.live and not page.has_unpublished_changes
        assert page.first_published_at <= page.last_published_at <= timezone.now()
        assert page.latest_revision_id == page.live_revision_id is not None
        revision = page.latest_revision
        assert revision.object_id == str(page.pk)
        assert revision.content_type_id == page.content_type_id
        assert revision.base_content_type_id == page_type.pk
    assert pages[0].latest_revision.as_object().specific.title == pages[0].title


def comparable(data):
    """Revision content as stored: JSON round-tripped, StreamField text parsed, and without
    the revision pointers, which a page's first revision records before it exists."""
    data = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    data.pop("latest_revision", None)
    data.pop("live_revision", None)
    for key, value in data.items():
        if isinstance(value, str) and value.startswith("[{"):
            data[key] = json.loads(value)
    return data


def test_each_revision_holds_what_save_revision_would_store(seeded):
    for model in (ProductPage, CaseStudyPage, BestPracticePage):
        for page in model.objects.all():
            assert comparable(page.latest_revision.content) == comparable(page.serializable_data())


def test_pages_render(seeded, client):
    try:
        get_template(ProductPage.template)
    except TemplateDoesNotExist:
        pytest.skip("The product page template is not written yet.")
    for page in [
        *ProductPage.objects.order_by("?")[:3],
        CaseStudyPage.objects.first(),
        BestPracticePage.objects.first(),
        ProductIndexPage.objects.get(),
    ]:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert page.title in response.content.decode()


# --- Realistic, valid content ---------------------------------------------------------------


def test_some_certificates_are_expired_today(seeded):
    rows = list(ProductCompliance.objects.exclude(expires_on=None))
    expired = [row for row in rows if row.is_expired]
    assert expired and len(expired) < len(rows)
    assert {row.effective_status for row in expired} == {"expired"}


def test_organisations_cover_every_region_and_evidence_every_type(seeded):
    adopters = Organisation.objects.exclude(kind="supplier")
    assert set(adopters.values_list("region", flat=True)) == set(Region.values)
    assert set(adopters.values_list("kind", flat=True)) == {
        "nhs_trust",
        "icb",
        "gp_practice",
        "local_authority",
        "social_care_provider",
    }
    assert set(EvidenceItem.objects.values_list("evidence_type", flat=True)) == set(
        EvidenceType.values
    )
    adoptions = Adoption.objects.all()
    assert adoptions.filter(confirmed=True).count() > adoptions.count() / 2


def test_codes_pass_the_registers_validators(seeded):
    for org in Organisation.objects.all():
        if org.kind == "supplier":
            validate_companies_house_number(org.companies_house_number)
            assert org.ods_code is None
        else:
            validate_ods_code(org.ods_code)
        org.full_clean()


def test_rows_and_pages_pass_model_validation(seeded):
    for model in (EvidenceItem, ProductCompliance, Adoption, CaseStudyOutcome):
        for row in model.objects.all():
            row.full_clean()
    for model in (ProductPage, CaseStudyPage, BestPracticePage):
        for page in model.objects.all():
            page.full_clean()
            assert len(page.summary) <= SUMMARY_MAX_LENGTH


def test_regulation_is_consistent_with_the_tier(seeded):
    for product in ProductPage.objects.all():
        if product.esf_tier == "A":
            assert product.device_class == "none"
        assert (product.device_class == "none") == (product.conformity_marking == "none")
        assert product.clinical_areas.exists()
        assert product.care_settings.exists()
        assert len([b for b in product.description if b.block_type == "text"]) >= 2
        mhra = product.compliance.get(standard__code="MHRA")
        assert mhra.status == ("not_applicable" if product.device_class == "none" else "met")


# --- Loading once, and adding more ----------------------------------------------------------


def test_if_empty_does_nothing_when_products_exist(seeded):
    before = snapshot()
    output = seed(if_empty=True)
    assert "already has 30 products" in output
    assert snapshot() == before


def test_a_second_run_adds_products_without_clashes(seeded):
    nhs_organisations = Organisation.objects.exclude(kind="supplier").count()
    output = seed(products=12)
    assert "Seeded 12 products" in output
    assert ProductPage.objects.count() == PRODUCTS + 12
    assert Organisation.objects.exclude(kind="supplier").count() == nhs_organisations
    assert Page.find_problems() == ([], [], [], [], [])
    slugs = list(Page.objects.values_list("url_path", flat=True))
    assert len(slugs) == len(set(slugs))
    assert BestPracticePage.objects.count() == len(
        set(BestPracticePage.objects.values_list("slug", flat=True))
    )


# --- Wagtail can edit what was loaded -------------------------------------------------------


def test_the_admin_edits_and_publishes_a_seeded_product(seeded, client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin", "admin@example.org", "pw")
    client.force_login(admin)
    product = ProductPage.objects.order_by("path").first()
    response = client.get(f"/admin/pages/{product.pk}/edit/")
    assert response.status_code == 200
    assert product.title in response.content.decode()

    evidence = product.evidence.count()
    compliance = product.compliance.count()
    product.title = f"{product.title} (renamed)"
    product.save_revision(user=admin).publish()

    product = ProductPage.objects.get(pk=product.pk)
    assert product.title.endswith("(renamed)")
    assert product.live_revision_id == product.latest_revision_id
    assert product.revisions.count() == 2
    assert product.evidence.count() == evidence
    assert product.compliance.count() == compliance
    assert Page.find_problems() == ([], [], [], [], [])
