"""The product page issues the same number of queries however much proof a product has."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Standard

from ..assessments.factories import ComplianceFactory
from .factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OutcomeFactory,
    ProductFactory,
)

pytestmark = pytest.mark.django_db


def build_product(rows):
    product = ProductFactory(clinical_areas=["diabetes", "COPD"])
    standards = list(Standard.objects.order_by("pk")[:rows])
    for index, standard in enumerate(standards):
        ComplianceFactory(
            product=product,
            standard=standard,
            expires_on=datetime.date.today() - datetime.timedelta(days=index - rows // 2),
        )
    for _ in range(rows):
        EvidenceFactory(product=product)
        AdoptionFactory(product=product)
    for _ in range(max(1, rows // 5)):
        study = CaseStudyFactory(products=[product])
        OutcomeFactory(case_study=study)
        OutcomeFactory(case_study=study, metric="Time to review", before=30, after=12)
    return product


def queries_to_render(client, product):
    client.get(product.url)  # warm per-process caches (site root, content types)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(product.url)
    assert response.status_code == 200
    # Reads of the shared cache (a database table, config/settings/base.py CACHES) vary
    # with what Wagtail has cached so far, not with the product's rows.
    return sum(1 for query in captured.captured_queries if "registry_cache" not in query["sql"])


def test_product_page_query_count_does_not_grow_with_rows(client):
    small = queries_to_render(client, build_product(rows=1))
    large = queries_to_render(client, build_product(rows=25))
    assert large == small, f"{small} queries with 1 row of each, {large} with 25"
    assert small <= 25, f"product page needs {small} queries"
