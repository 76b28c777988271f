"""Who may see what: a permission matrix across roles and every submission view.

Another organisation's submission id is a 404 on every innovator view, for reading and for
writing, so ids reveal nothing; the admin review screens are for assessors only."""

import pytest

from assessments import services
from assessments.models import Answer, Upload

from .factories import AssessorFactory, InnovatorFactory, SubmissionFactory
from .helpers import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    owner = InnovatorFactory()
    organisation = owner.membership.organisation
    submission = SubmissionFactory(
        organisation=organisation, reference="REG-OWN", status="submitted"
    )
    criterion = next(
        item.criterion
        for section in services.load_state(submission)
        for item in section.criteria
        if item.criterion.question_type == "file"
    )
    upload = Upload(
        submission=submission,
        criterion=criterion,
        original_name="safety.pdf",
        content_type="application/pdf",
        size=10,
    )
    upload.file.save("safety.pdf", pdf(), save=True)
    return {
        "submission": submission,
        "upload": upload,
        "criterion": criterion,
        "owner": owner,
        "colleague": InnovatorFactory(organisation=organisation),
        "stranger": InnovatorFactory(),
        "assessor": AssessorFactory(),
    }


def _paths(world):
    pk = world["submission"].pk
    code = world["criterion"].code
    return {
        "task list": f"/submissions/{pk}/",
        "question": f"/submissions/{pk}/questions/{code}/",
        "check answers": f"/submissions/{pk}/check-your-answers/",
        "confirmation": f"/submissions/{pk}/confirmation/",
        "download": f"/submissions/{pk}/files/{world['upload'].pk}/",
    }


INNOVATOR_VIEWS = ["task list", "question", "check answers", "confirmation", "download"]

# role -> view -> status code for GET
EXPECTED = {
    "owner": {
        "task list": 200,
        "question": 302,
        "check answers": 200,
        "confirmation": 200,
        "download": 200,
    },
    "colleague": {
        "task list": 200,
        "question": 302,
        "check answers": 200,
        "confirmation": 200,
        "download": 200,
    },
    "stranger": dict.fromkeys(INNOVATOR_VIEWS, 404),
    # Assessors belong to no supplier: innovator pages are 404; they may download evidence.
    "assessor": {**dict.fromkeys(INNOVATOR_VIEWS, 404), "download": 200},
}


@pytest.mark.parametrize("role", list(EXPECTED))
@pytest.mark.parametrize("view", INNOVATOR_VIEWS)
def test_innovator_views(client, world, role, view):
    client.force_login(world[role])
    response = client.get(_paths(world)[view])
    assert response.status_code == EXPECTED[role][view]
    if response.status_code == 200 and view == "download":
        assert response["Content-Disposition"].startswith('attachment; filename="safety.pdf"')
        assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("view", INNOVATOR_VIEWS)
def test_anonymous_people_are_sent_to_sign_in(client, world, view):
    response = client.get(_paths(world)[view])
    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")


@pytest.mark.parametrize("view", ["question", "check answers"])
def test_a_stranger_cannot_write_to_another_organisations_submission(client, world, view):
    world["submission"].status = "draft"
    world["submission"].save()
    client.force_login(world["stranger"])
    data = {"value": "Hijacked", "declaration": "on"}
    assert client.post(_paths(world)[view], data).status_code == 404
    world["submission"].refresh_from_db()
    assert world["submission"].status == "draft"
    assert not Answer.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"), [("owner", 403), ("stranger", 403), ("assessor", 200)]
)
@pytest.mark.parametrize("path", ["/admin/assessments/", "/admin/assessments/{pk}/"])
def test_admin_review_screens_are_for_assessors(client, world, role, expected, path):
    world[role].is_staff = False
    client.force_login(world[role])
    response = client.get(path.format(pk=world["submission"].pk))
    # Wagtail sends people without admin access to its login page.
    assert response.status_code == expected or (expected == 403 and response.status_code == 302)


def test_a_submitted_submission_is_read_only_to_the_innovator(client, world):
    client.force_login(world["owner"])
    question = _paths(world)["question"]
    response = client.post(question, {"value": pdf("new.pdf")}, follow=True)
    assert "You cannot change this answer now" in response.content.decode()
    assert Upload.objects.count() == 1


def test_the_task_list_shows_no_other_organisations_submissions(client, world):
    client.force_login(world["stranger"])
    SubmissionFactory(organisation=world["stranger"].membership.organisation, product_name="Mine")
    html = client.get("/submissions/").content.decode()
    assert "Mine" in html and world["submission"].product_name not in html
