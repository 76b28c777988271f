"""Organisation rights come only from confirmed membership (issue 12, findings 1 and 4).

A stranger who names the same organisation as someone else gets a pending claim and
nothing more; confirmed members or the scaling team decide it, and every decision is in
the audit log."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from wagtail.models import ModelLogEntry

from accounts.models import Membership
from assessments import services
from assessments.models import Upload
from tests.accounts.factories import PASSWORD
from tests.assessments.factories import InnovatorFactory, SubmissionFactory
from tests.assessments.helpers import pdf
from tests.registry.factories import OrganisationFactory, SupplierFactory

pytestmark = pytest.mark.django_db


def _link(message):
    return re.search(r"https?://testserver(\S+)", message.body).group(1)


def _register(client, **overrides):
    data = {
        "full_name": "Eve Stranger",
        "email": "eve@example.com",
        "organisation_name": "Breathe Easy Ltd",
        "companies_house_number": "",
        "password": PASSWORD,
        **overrides,
    }
    return client.post("/account/register/", data)


@pytest.fixture
def supplier_with_submission():
    owner = InnovatorFactory()
    submission = SubmissionFactory(organisation=owner.membership.organisation)
    criterion = next(
        item.criterion
        for section in services.load_state(submission)
        for item in section.criteria
        if item.criterion.question_type == "file"
    )
    upload = Upload(
        submission=submission,
        criterion=criterion,
        original_name="private.pdf",
        content_type="application/pdf",
        size=10,
    )
    upload.file.save("private.pdf", pdf(), save=True)
    return owner, submission, upload


def _submission_paths(submission, upload):
    return [
        f"/submissions/{submission.pk}/",
        f"/submissions/{submission.pk}/check-your-answers/",
        f"/submissions/{submission.pk}/files/{upload.pk}/",
    ]


def test_a_buyer_who_claims_a_suppliers_organisation_sees_nothing(client, supplier_with_submission):
    """The reported hole: any membership of any organisation opened the submission pages."""
    _owner, submission, upload = supplier_with_submission
    trust = OrganisationFactory()
    buyer = InnovatorFactory(organisation=trust)  # confirmed, but of an NHS trust
    client.force_login(buyer)
    assert client.get("/submissions/").status_code == 403
    assert client.get("/submissions/start/").status_code == 403
    for path in _submission_paths(submission, upload):
        assert client.get(path).status_code == 404


def test_an_unconfirmed_member_of_the_supplier_sees_nothing_and_cannot_invite(
    client, supplier_with_submission
):
    owner, submission, upload = supplier_with_submission
    claimant = InnovatorFactory(organisation=owner.membership.organisation, confirmed=False)
    client.force_login(claimant)
    response = client.get("/submissions/")
    assert response.status_code == 403
    assert "We need to confirm that you work for" in response.content.decode()
    for path in _submission_paths(submission, upload):
        assert client.get(path).status_code == 404
    assert client.post("/account/invite/", {"email": "friend@example.com"}).status_code == 403
    assert mail.outbox == []


def test_a_confirmed_member_works_on_submissions(client, supplier_with_submission):
    owner, submission, upload = supplier_with_submission
    client.force_login(owner)
    for path in _submission_paths(submission, upload):
        assert client.get(path).status_code == 200


def test_a_buyer_registering_with_an_ods_code_gets_only_a_pending_claim(client):
    trust = OrganisationFactory(ods_code="RR8")
    client.post(
        "/account/register/buyer/",
        {
            "full_name": "Eve",
            "email": "eve@example.com",
            "ods_code": "RR8",
            "password": PASSWORD,
        },
    )
    client.get(_link(mail.outbox[-1]))
    membership = Membership.objects.get(user__email="eve@example.com")
    assert membership.organisation == trust and not membership.is_confirmed
    assert client.get("/submissions/").status_code == 403
    assert client.get("/account/invite/").status_code == 403


def test_a_duplicate_companies_house_number_is_a_form_error_not_a_500(client):
    company = SupplierFactory(name="Breathe Easy Ltd", companies_house_number="01234567")
    response = _register(client, companies_house_number="01234567")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Breathe Easy Ltd is already registered with Companies House number 01234567" in html
    assert "I work for Breathe Easy Ltd: ask to join it" in html
    assert not User.objects.filter(email="eve@example.com").exists()
    assert company.memberships.count() == 0


def test_asking_to_join_a_registered_company_waits_for_its_confirmed_members(
    client, supplier_with_submission
):
    owner, submission, upload = supplier_with_submission
    company = owner.membership.organisation
    response = _register(
        client, companies_house_number=company.companies_house_number, join_existing="on"
    )
    assert f"the registry for {company.name} to confirm" in response.content.decode()
    eve = User.objects.get(email="eve@example.com")
    assert eve.membership.organisation == company and not eve.membership.is_confirmed
    assert company.name not in mail.outbox[-1].subject
    client.get(_link(mail.outbox[-1]))
    # Her claim grants nothing: not first come, first served.
    for path in _submission_paths(submission, upload):
        assert client.get(path).status_code == 404
    # The company's confirmed member is asked, and confirms her.
    request = mail.outbox[-1]
    assert request.to == [owner.email]
    assert request.subject == "Someone has asked to join your organisation on the registry"
    owner_client = type(client)()
    owner_client.force_login(owner)
    page = owner_client.get(_link(request)).content.decode()
    assert "People asking to join" in page and "eve@example.com" in page
    owner_client.post(f"/account/members/{eve.membership.pk}/", {"decision": "confirm"})
    for path in _submission_paths(submission, upload):
        assert client.get(path).status_code == 200
    entry = ModelLogEntry.objects.get(action="accounts.membership.confirm")
    assert entry.user == owner and entry.object_id == str(eve.membership.pk)


def test_a_declined_claim_leaves_no_organisation(client, supplier_with_submission):
    owner = supplier_with_submission[0]
    claimant = InnovatorFactory(organisation=owner.membership.organisation, confirmed=False)
    client.force_login(owner)
    client.post(f"/account/members/{claimant.membership.pk}/", {"decision": "decline"})
    claimant.membership.refresh_from_db()
    assert claimant.membership.organisation is None
    assert ModelLogEntry.objects.filter(action="accounts.membership.decline").exists()


def test_members_of_another_organisation_cannot_decide_a_claim(client):
    claimant = InnovatorFactory(confirmed=False)
    client.force_login(InnovatorFactory())
    response = client.post(f"/account/members/{claimant.membership.pk}/", {"decision": "confirm"})
    assert response.status_code == 404
    claimant.membership.refresh_from_db()
    assert claimant.membership.organisation_verified_at is None


def test_the_scaling_team_confirms_pending_memberships_in_the_admin(client):
    trust = OrganisationFactory(name="Leeds Teaching Hospitals")
    claimant = InnovatorFactory(organisation=trust, confirmed=False)
    editor = User.objects.create_user("editor", "editor@nhs.net", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    html = client.get("/admin/memberships/").content.decode()
    assert claimant.email in html and "Leeds Teaching Hospitals" in html
    client.post(f"/admin/memberships/{claimant.membership.pk}/", {"decision": "confirm"})
    claimant.membership.refresh_from_db()
    assert claimant.membership.is_confirmed
    entry = ModelLogEntry.objects.get(action="accounts.membership.confirm")
    assert entry.user == editor
    html = client.get("/admin/memberships/").content.decode()
    assert f"Confirmed {claimant.email}" in html and f"Confirm {claimant.email}" not in html


def test_people_outside_the_scaling_team_cannot_confirm_in_the_admin(client):
    claimant = InnovatorFactory(confirmed=False)
    outsider = InnovatorFactory()
    client.force_login(outsider)
    client.post(f"/admin/memberships/{claimant.membership.pk}/", {"decision": "confirm"})
    claimant.membership.refresh_from_db()
    assert claimant.membership.organisation_verified_at is None


def test_an_invitation_from_a_confirmed_member_confirms_the_colleague(client):
    ada = InnovatorFactory()
    client.force_login(ada)
    client.post("/account/invite/", {"email": "bo@example.com"})
    invitation = mail.outbox[-1]
    assert ada.membership.organisation.name not in invitation.subject
    assert invitation.subject == (
        "You have been invited to the registry of proven digital health products"
    )
    client.logout()
    client.post(_link(invitation), {"full_name": "Bo", "password": PASSWORD})
    client.get(_link(mail.outbox[-1]))
    bo = User.objects.get(email="bo@example.com")
    assert bo.membership.is_confirmed
    assert client.get("/submissions/").status_code == 200


def test_an_invitation_is_void_once_its_sender_is_no_longer_a_confirmed_member(client):
    ada = InnovatorFactory()
    client.force_login(ada)
    client.post("/account/invite/", {"email": "bo@example.com"})
    client.logout()
    Membership.objects.filter(user=ada).update(organisation_verified_at=None)
    response = client.post(_link(mail.outbox[-1]), {"full_name": "Bo", "password": PASSWORD})
    assert response.status_code == 400
    assert not User.objects.filter(email="bo@example.com").exists()


def test_an_invitation_into_an_nhs_organisation_still_needs_the_scaling_team(client):
    trust = OrganisationFactory()
    member = InnovatorFactory(organisation=trust)
    client.force_login(member)
    client.post("/account/invite/", {"email": "bo@example.nhs.uk"})
    client.logout()
    client.post(_link(mail.outbox[-1]), {"full_name": "Bo", "password": PASSWORD})
    client.get(_link(mail.outbox[-1]))
    membership = Membership.objects.get(user__email="bo@example.nhs.uk")
    assert membership.organisation == trust and not membership.is_confirmed
    assert membership.organisation_verified_at is None
