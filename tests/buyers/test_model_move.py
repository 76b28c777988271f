"""The buyer models moved from registry/ and search/ into buyers/ with their tables. A
database made before the move, with rows in every moved table, comes through the migrations
with every row readable through the new models, and with the Editors' permission to decide
adoption claims still attached to the claims."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from buyers.models import (
    AdoptionClaim,
    AlertDelivery,
    FrozenShortlist,
    PeerMessage,
    SavedSearch,
    ShortlistItem,
)

from ..registry.factories import AdoptionFactory, OrganisationFactory, ProductFactory

# The move changes no table, only migration records and content types, so the whole round
# trip runs inside the test's transaction (PostgreSQL runs DDL-free migrations there too) and
# is rolled back with it.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

BEFORE_THE_MOVE = [
    ("registry", "0004_editors_decide_adoption_claims"),
    ("registry_search", "0003_saved_searches_and_alerts"),
    ("buyers", None),
]
OLD_LEAVES = BEFORE_THE_MOVE[:2]


def migrate(targets):
    # Later migrations on the way (a new column on product pages) alter tables the test has
    # written to: fire the deferred constraint checks first, as a commit would.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    ContentType.objects.clear_cache()
    return executor


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def test_rows_made_before_the_move_are_intact_after_it(postgres):
    # Pages and people are not moving: made now, they exist at either layout.
    product = ProductFactory()
    trust = OrganisationFactory(name="Leeds Teaching Hospitals")
    adoption = AdoptionFactory(product=product, organisation=trust)
    buyer = get_user_model().objects.create_user("lead", "lead@leedsth.nhs.uk", "x")
    claim_type = ContentType.objects.get(app_label="buyers", model="adoptionclaim")

    executor = migrate(BEFORE_THE_MOVE)
    old = executor.loader.project_state(OLD_LEAVES).apps
    assert ContentType.objects.get(app_label="registry", model="adoptionclaim").pk == (
        claim_type.pk
    )
    old_product = old.get_model("registry", "ProductPage").objects.get(pk=product.pk)
    old_user = old.get_model("auth", "User").objects.get(pk=buyer.pk)
    old.get_model("registry", "ShortlistItem").objects.create(
        user=old_user, product=old_product, found_by="q=ward"
    )
    record = old.get_model("registry", "FrozenShortlist").objects.create(
        title="Virtual wards", created_by=old_user, products=[{"id": product.pk}]
    )
    old.get_model("registry", "AdoptionClaim").objects.create(
        product=old_product,
        organisation_id=trust.pk,
        claimed_by=old_user,
        contact_email="lead@leedsth.nhs.uk",
        scale="pilot",
    )
    old.get_model("registry", "PeerMessage").objects.create(
        sender=old_user, adoption_id=adoption.pk, body="How did it go?"
    )
    saved = old.get_model("registry_search", "SavedSearch").objects.create(
        user=old_user, name="Wards", query_string="q=ward"
    )
    old.get_model("registry_search", "AlertDelivery").objects.create(
        saved_search=saved, product=old_product
    )

    migrate(latest())

    assert ShortlistItem.objects.get().found_by == "q=ward"
    assert FrozenShortlist.objects.get().pk == record.pk
    assert FrozenShortlist.objects.get().products == [{"id": product.pk}]
    claim = AdoptionClaim.objects.get()
    assert (claim.organisation, claim.product.pk, claim.is_pending) == (trust, product.pk, True)
    assert PeerMessage.objects.get().adoption.pk == adoption.pk
    assert SavedSearch.objects.get(user=buyer).query_string == "q=ward"
    assert AlertDelivery.objects.get().product_id == product.pk
    # The claims' content type is the same row, relabelled, so the Editors' permissions and
    # any admin history kept pointing at it.
    assert ContentType.objects.get_for_model(AdoptionClaim).pk == claim_type.pk
    assert not ContentType.objects.filter(app_label="registry", model="adoptionclaim").exists()
    editors = Group.objects.get(name="Editors")
    assert set(
        editors.permissions.filter(content_type=claim_type).values_list("codename", flat=True)
    ) == {"view_adoptionclaim", "change_adoptionclaim"}
