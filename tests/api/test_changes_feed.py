"""The changes feed: replaying it from the start gives exactly what the API serves now."""

import datetime
import io

import pytest

from api import changes as feed
from api.models import Change
from assessments.models import Standard
from registry.models import CareSetting
from tests.assessments.factories import ComplianceFactory
from tests.formularies.factories import FormularyEntryFactory, FormularyFactory
from tests.registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    GuideFactory,
    OrganisationFactory,
    ProductFactory,
    SupplierFactory,
)

pytestmark = pytest.mark.django_db

LISTS = {
    "product": "/products",
    "organisation": "/organisations",
    "case_study": "/case-studies",
    "guide": "/guides",
    "standard": "/standards",
    "category": "/categories",
    "care_setting": "/care-settings",
    "formulary": "/formularies",
}
DETAILS = {
    "product": "/products/{}",
    "organisation": "/organisations/{}",
    "case_study": "/case-studies/{}",
    "guide": "/guides/{}",
    "standard": "/standards/{}",
    "category": "/categories/{}",
    "care_setting": "/care-settings/{}",
    "formulary": "/formularies/{}",
}


def read_feed(client, after=None, limit=7):
    """Every change after the cursor, page by page; returns (changes, last cursor)."""
    changes = []
    while True:
        params = {"limit": limit}
        if after:
            params["after"] = after
        response = client.get("/api/v1/changes", params)
        assert response.status_code == 200, response.content
        body = response.json()
        changes.extend(body["changes"])
        after = body["next"]
        if not body["more"]:
            return changes, after


def replay(client, changes, mirror):
    for change in changes:
        records = mirror.setdefault(change["kind"], {})
        if change["action"] in ("created", "updated"):
            response = client.get(change["url"])
            if response.status_code == 404:  # gone since; a later entry says so
                records.pop(change["id"], None)
                continue
            assert response.status_code == 200, response.content
            records[change["id"]] = response.json()
        else:
            records.pop(change["id"], None)
    return mirror


def api_state(client):
    """Every record the API serves now, as its detail endpoint shows it."""
    state = {}
    for kind, path in LISTS.items():
        records, cursor = {}, None
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            body = client.get(f"/api/v1{path}", params).json()
            for item in body["items"]:
                records[item["id"]] = client.get(
                    "/api/v1" + DETAILS[kind].format(item["id"])
                ).json()
            cursor = body["next"]
            if not cursor:
                break
        state[kind] = records
    return state


def without_empty(mirror):
    return {kind: records for kind, records in mirror.items() if records}


def test_replaying_the_feed_from_the_start_mirrors_the_api(client):
    mirror = {}
    changes, cursor = read_feed(client)
    replay(client, changes, mirror)

    # Creates
    supplier = SupplierFactory(name="Acme Health Ltd")
    kept = ProductFactory(title="Acme Remote Monitoring", supplier=supplier)
    unpublished = ProductFactory(title="Acme Virtual Ward", supplier=supplier)
    deleted = ProductFactory(title="Short-lived product")
    adopter = OrganisationFactory(name="Example Trust")
    study = CaseStudyFactory(products=[kept, deleted], organisation=adopter)
    GuideFactory(products=[kept])
    setting = CareSetting.objects.create(name="Prison healthcare", slug="prison-healthcare")
    formulary = FormularyFactory(organisation=adopter)
    FormularyEntryFactory(formulary=formulary, product=kept, note="Cardiology only")
    FormularyEntryFactory(formulary=formulary, product=deleted)
    hidden, withdrawn, gone = FormularyFactory(), FormularyFactory(), FormularyFactory()

    # A mirror can start reading part of the way through.
    changes, cursor = read_feed(client, cursor)
    replay(client, changes, mirror)

    # Edits outside the page editor, and on the page
    AdoptionFactory(product=kept, organisation=adopter, confirmed=True)
    ComplianceFactory(product=kept, standard=Standard.objects.get(code="DCB0129"))
    kept.summary = "Watches people at home and tells the ward when they get worse."
    kept.save_revision().publish()
    # Renames: a supplier, a product, a standard
    supplier.name = "Acme Digital Health Ltd"
    supplier.save()
    kept.title = "Acme Home Monitoring"
    kept.save_revision().publish()
    standard = Standard.objects.get(code="DCB0129")
    standard.name = "Clinical risk management: manufacture of health IT"
    standard.save()
    # Formularies: a note, the organisation renamed, a list unpublished by its members, one
    # whose only confirmed member left, one deleted
    entry = formulary.entries.get(product=kept)
    entry.note = "Cardiology and respiratory"
    entry.save()
    adopter.name = "Example Teaching Trust"
    adopter.save()
    hidden.published = False
    hidden.save()
    withdrawn.organisation.memberships.get().delete()
    gone_pk = gone.pk
    gone.delete()
    # Unpublish and delete
    unpublished.unpublish()
    deleted_pk, setting_pk = deleted.pk, setting.pk
    deleted.delete()
    setting.delete()
    ComplianceFactory(
        product=kept,
        standard=Standard.objects.get(code="DSPT"),
        expires_on=datetime.date.today() - datetime.timedelta(days=1),
    )

    changes, cursor = read_feed(client, cursor)
    replay(client, changes, mirror)

    state = api_state(client)
    assert without_empty(mirror) == without_empty(state)
    assert mirror["product"][kept.pk]["name"] == "Acme Home Monitoring"
    assert mirror["product"][kept.pk]["supplier"]["name"] == "Acme Digital Health Ltd"
    assert unpublished.pk not in mirror["product"]
    assert deleted_pk not in mirror["product"]
    assert [p["id"] for p in mirror["case_study"][study.pk]["products"]] == [kept.pk]
    assert setting_pk not in mirror["care_setting"]
    listed = mirror["formulary"][formulary.pk]
    assert listed["organisation"]["name"] == "Example Teaching Trust"
    assert [(e["product"]["name"], e["note"]) for e in listed["products"]] == [
        ("Acme Home Monitoring", "Cardiology and respiratory")
    ]
    assert set(mirror["formulary"]) == {formulary.pk}
    actions = {(c["kind"], c["id"]): c["action"] for c in changes}
    assert actions[("product", unpublished.pk)] == "unpublished"
    assert actions[("product", deleted_pk)] == "deleted"
    assert actions[("care_setting", setting_pk)] == "deleted"
    assert actions[("formulary", hidden.pk)] == "unpublished"
    assert actions[("formulary", withdrawn.pk)] == "unpublished"
    assert actions[("formulary", gone_pk)] == "deleted"

    # Nothing new: the same cursor comes back, with nothing to do.
    again, same_cursor = read_feed(client, cursor)
    assert again == [] and same_cursor == cursor


def test_a_feed_entry_commits_with_its_change(client):
    """A change that rolls back leaves no entry."""
    from django.db import transaction

    before = Change.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        OrganisationFactory(name="Never saved")
        raise RuntimeError
    assert Change.objects.count() == before


def test_rows_waiting_for_a_place_are_coalesced_in_commit_order():
    Change.objects.all().delete()
    Change.objects.create(kind="product", object_id=1, action="created")
    Change.objects.create(kind="product", object_id=2, action="created")
    Change.objects.create(kind="product", object_id=1, action="updated")
    feed.sequence()
    rows = list(Change.objects.order_by("seq").values_list("seq", "object_id", "action"))
    assert rows == [(1, 2, "created"), (2, 1, "created")]
    Change.objects.create(kind="product", object_id=2, action="deleted")
    feed.sequence()
    assert Change.objects.order_by("seq").last().seq == 3


def test_expiries_are_recorded_once_a_day(client):
    product = ProductFactory()
    ComplianceFactory(
        product=product,
        standard=Standard.objects.get(code="DSPT"),
        expires_on=datetime.date(2030, 1, 10),
    )
    feed.record_expiries(datetime.date(2030, 1, 10))  # first run: starts counting
    feed.sequence()
    last = Change.objects.order_by("seq").last().seq
    feed.record_expiries(datetime.date(2030, 1, 11))  # the row expired on the 11th
    feed.record_expiries(datetime.date(2030, 1, 11))  # a second read that day adds nothing
    feed.sequence()
    new = list(Change.objects.filter(seq__gt=last).values_list("kind", "object_id", "action"))
    assert new == [("product", product.pk, "updated")]


def test_a_cursor_the_feed_did_not_give_is_refused(client):
    response = client.get("/api/v1/changes", {"after": "not-a-cursor"})
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "bad_request"
    assert body["details"][0]["field"] == "after"


def test_records_loaded_without_signals_can_be_added_to_the_feed(client):
    from django.core.management import call_command

    product = ProductFactory()
    Change.objects.filter(kind="product", object_id=product.pk).delete()  # as seed_demo leaves it
    call_command("record_missing_changes", stdout=io.StringIO())
    call_command("record_missing_changes", stdout=io.StringIO())
    changes, _ = read_feed(client, limit=500)
    assert [c["action"] for c in changes if (c["kind"], c["id"]) == ("product", product.pk)] == [
        "created"
    ]
