"""The consistency report: every live listing that breaks a rule today, which rule and since
when, with CSV export; the daily job emails the new breaches once; imports warn or refuse."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import CommandError, call_command

from proof.models import BreachRecord
from proof.report import check_proof_rules, report_rows
from registry.models import ProductPage

from ..assessments.factories import dtac_rows, proven_product
from ..registry.factories import EvidenceFactory, ProductFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
DAY_ONE = datetime.datetime(2026, 12, 3, 7, 0, tzinfo=LONDON)
DAY_TWO = datetime.datetime(2026, 12, 4, 7, 0, tzinfo=LONDON)


@pytest.fixture
def scaling_team():
    editor = get_user_model().objects.create_user(
        "editor", "editor@example.nhs.uk", "x", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    return editor


def test_a_proven_product_is_not_on_the_report():
    proven_product(title="AllThere")
    assert report_rows() == []


def test_the_report_lists_each_broken_rule_with_since_when():
    with time_machine.travel(DAY_ONE, tick=False):
        expiring = proven_product(title="Expiring")
        expiring.compliance.filter(standard__code="DSPT").update(
            expires_on=datetime.date(2026, 12, 3)
        )
        ProductFactory(title="NoEvidence")  # no evidence, no data protection rows
        ProductFactory(title="A draft", live=False)
        check_proof_rules()
    with time_machine.travel(DAY_TWO, tick=False):
        rows = [(row.title, row.breach.rule, row.since) for row in report_rows()]
    assert rows == [
        ("NoEvidence", "evidence", datetime.date(2026, 12, 3)),  # first seen on day one
        ("NoEvidence", "personal_data", datetime.date(2026, 12, 3)),
        ("Expiring", "personal_data", datetime.date(2026, 12, 4)),  # exact: the expiry
    ]


def test_the_daily_job_emails_the_new_breaches_once_and_forgets_mended_ones(scaling_team):
    with time_machine.travel(DAY_ONE, tick=False):
        product = ProductFactory(title="NoEvidence", processes_personal_data=False)
        call_command("check_proof_rules")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["editor@example.nhs.uk"]
        assert "NoEvidence: Evidence for the ESF tier" in mail.outbox[0].body
        assert mail.outbox[0].subject == "1 listing newly breaks a proof rule"
        call_command("check_proof_rules")  # the same day again: nothing new
        assert len(mail.outbox) == 1
    EvidenceFactory(product=product)
    with time_machine.travel(DAY_TWO, tick=False):
        assert check_proof_rules() == []
    assert not BreachRecord.objects.exists()
    assert len(mail.outbox) == 1


def test_the_report_and_its_csv_in_the_admin(client, scaling_team):
    ProductFactory(title="NoEvidence", processes_personal_data=False)
    client.force_login(scaling_team)
    response = client.get("/admin/reports/proof-consistency/")
    assert response.status_code == 200
    text = BeautifulSoup(response.content, "html.parser").get_text(" ")
    assert "NoEvidence" in text
    assert "Add an evidence item that can support NICE ESF tier B" in text

    export = client.get("/admin/reports/proof-consistency/?export=csv")
    assert export.status_code == 200
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0] == "Product,Rule,What is missing,Since"
    assert lines[1].startswith("NoEvidence,Evidence for the ESF tier,")


def test_only_the_scaling_team_may_read_the_report(client):
    from django.contrib.auth.models import Permission

    ProductFactory(title="NoEvidence", processes_personal_data=False)
    outsider = get_user_model().objects.create_user("other", "o@example.org", "x")
    admin_users = Group.objects.create(name="Admin users")
    admin_users.permissions.add(Permission.objects.get(codename="access_admin"))
    outsider.groups.add(admin_users)
    client.force_login(outsider)
    assert client.get("/admin/").status_code == 200  # in the admin, but not the scaling team
    response = client.get("/admin/reports/proof-consistency/", follow=True)
    assert "NoEvidence" not in response.content.decode()
    assert client.get("/admin/reports/proof-consistency/?export=csv").status_code != 200


# --- Imports --------------------------------------------------------------------------------


def catalogue(tmp_path, **product):
    from registry.models import CareSetting, Category

    record = {
        "id": "p1",
        "name": "ImportedWard",
        "supplier": "s1",
        "summary": "Monitors virtual wards.",
        "category": Category.objects.order_by("pk").first().slug,
        "care_settings": [CareSetting.objects.order_by("pk").first().slug],
        "esf_tier": "C",
        "pricing_model": "subscription",
        "deployment_model": "cloud",
        "processes_personal_data": False,
        "evidence": [
            {
                "evidence_type": "rct",
                "title": "A trial",
                "year": 2024,
                "summary": "120 adults in two trusts.",
            }
        ],
        **product,
    }
    document = {
        "format": "nhs-registry-catalogue",
        "version": 1,
        "organisations": [{"id": "s1", "name": "Ward Ltd", "kind": "supplier"}],
        "products": [record],
    }
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_an_import_warns_of_breaches_with_their_json_path(tmp_path, capsys):
    call_command("import_registry", catalogue(tmp_path, evidence=[]))
    err = capsys.readouterr().err
    assert "Warning: $.products[0].evidence: Add an evidence item that can support" in err
    assert ProductPage.objects.filter(title="ImportedWard", live=True).exists()


def test_a_strict_import_refuses_breaches_and_writes_nothing(tmp_path, capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_registry", catalogue(tmp_path, device_class="IIa"), "--strict")
    err = capsys.readouterr().err
    assert "$.products[0].device_class: A class IIa medical device must state" in err
    assert not ProductPage.objects.filter(title="ImportedWard").exists()


def test_a_strict_import_of_a_product_that_meets_the_rules_goes_through(tmp_path):
    call_command("import_registry", catalogue(tmp_path), "--strict")
    assert ProductPage.objects.filter(title="ImportedWard", live=True).exists()


def test_dtac_rows_helper_builds_a_passing_dtac():
    product = ProductFactory()
    dtac_rows(product)
    from proof.product import ProductProof

    assert ProductProof.load(product).dtac.passed


def test_the_preview_of_a_draft_shows_the_badges_of_its_own_rows():
    """A draft revision's compliance rows (not yet live) are what its preview reads."""
    from assessments.models import ProductCompliance, Standard
    from proof.product import ProductProof

    product = ProductFactory(title="Drafted")
    for code in ("DCB0129", "GP_CONNECT"):
        product.compliance.add(
            ProductCompliance(standard=Standard.objects.get(code=code), status="met")
        )
    product.save_revision()  # a draft: the live page has no rows yet
    assert ProductProof.load(ProductPage.objects.get(pk=product.pk)).standards_met_count == 0

    draft = ProductPage.objects.get(pk=product.pk).get_latest_revision_as_object()
    assert ProductProof.load(draft).standards_met_count == 2


def test_the_daily_task_runs_the_check_and_emails_the_new_breaches(scaling_team):
    from proof.tasks import check_proof_rules_daily

    product = ProductFactory(title="NoEvidence", processes_personal_data=False)
    result = check_proof_rules_daily.enqueue()
    assert result.return_value == {"new_breaches": [[product.pk, "evidence"]]}
    assert [message.to for message in mail.outbox] == [["editor@example.nhs.uk"]]
