"""schemathesis over the whole OpenAPI document: every operation, with generated parameters
(valid and invalid), must answer without a server error and as its schema says."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from bad_input.text import bad_characters
from tests.assessments.factories import ComplianceFactory
from tests.formularies.factories import FormularyEntryFactory
from tests.registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    GuideFactory,
    OutcomeFactory,
    ProductFactory,
)

# Small enough to keep the whole schema under a minute; large enough to try each
# parameter with good and bad values.
MAX_EXAMPLES = 10


@pytest.fixture
def api_schema(db):
    # As Django's test client does: the app must not close the connection that holds the
    # test's transaction at the end of each request.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    product = ProductFactory()
    EvidenceFactory(product=product)
    ComplianceFactory(product=product)
    AdoptionFactory(product=product)
    study = CaseStudyFactory(products=[product])
    OutcomeFactory(case_study=study)
    GuideFactory(products=[product])
    FormularyEntryFactory(product=product)
    yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _has_control_character(value):
    values = value if isinstance(value, list) else [value]
    return any(bad_characters(str(item)) for item in values)


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_every_operation_keeps_to_its_schema(case):
    # A cursor is opaque: the schema can say what one looks like, not which ones this list
    # gave out, so a made-up one is refused (400) though it matches the pattern.
    # test_http.py and test_changes_feed.py test cursors directly.
    opaque = {"cursor", "after"} & set(case.query or {})
    # Control characters are refused in every address by policy (bad_input, tested in
    # tests/bad_input), with the API's error body, though the schema's strings allow them.
    control = any(_has_control_character(value) for value in (case.query or {}).values())
    excluded = [positive_data_acceptance] if opaque or control else []
    # The in-process transport does not unzip; gzip has its own test (test_http.py).
    case.call_and_validate(headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)
