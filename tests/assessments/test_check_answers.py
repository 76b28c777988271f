"""Check your answers shows every answer, "About your product" included, each with a Change
link that goes to its question and comes back here after saving; question pages use the
NHS.UK date input and file upload, and their errors say what to do."""

import pytest
from bs4 import BeautifulSoup

from assessments.models import Criterion, SubmissionEvent
from registry.models import Category

from .factories import InnovatorFactory, SubmissionFactory
from .helpers import EVIDENCE_DETAILS, answer_everything, pdf, question_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafting(client):
    innovator = InnovatorFactory()
    submission = SubmissionFactory(
        organisation=innovator.membership.organisation,
        summary="Helps people with COPD manage breathlessness at home.",
        category=Category.objects.order_by("pk").first(),
        esf_tier="B",
        pricing_model="subscription",
        deployment_model="cloud",
        website="https://breathe.example.com",
    )
    client.force_login(innovator)
    return submission


def _rows(client, submission):
    page = BeautifulSoup(
        client.get(f"/submissions/{submission.pk}/check-your-answers/").content, "html.parser"
    )
    rows = {}
    for row in page.select(".nhsuk-summary-list__row"):
        change = row.select_one(".nhsuk-summary-list__actions a")
        rows[row.select_one("dt").get_text(strip=True)] = (
            row.select_one(".nhsuk-summary-list__value").get_text(" ", strip=True),
            change["href"] if change else None,
        )
    return rows


def test_check_answers_shows_about_your_product_with_change_links(client, drafting):
    rows = _rows(client, drafting)
    about = f"/submissions/{drafting.pk}/about/?return=check"
    assert rows["Summary"] == (drafting.summary, f"{about}#id_summary")
    assert rows["Category"] == (drafting.category.name, f"{about}#id_category")
    assert rows["NICE Evidence Standards Framework tier"][0].startswith("Tier B")
    assert rows["Medical device class"][0] == "Not a medical device"
    assert rows["Pricing model"][0] == "Annual subscription"
    assert rows["How is it deployed?"][0] == "Cloud-hosted (software as a service)"
    assert rows["Website"] == ("https://breathe.example.com", f"{about}#id_website")


def test_check_answers_lists_every_question_and_each_evidence_upload(client, drafting):
    answer_everything(client, drafting)
    rows = _rows(client, drafting)
    criteria = Criterion.objects.filter(section__framework=drafting.framework)
    for criterion in criteria:
        if criterion.applies_to(drafting.esf_tier, drafting.is_medical_device):
            value, change = rows[criterion.question]
            assert value != "Not answered", criterion.code
            assert change == question_url(drafting, criterion) + "?return=check"
    evidence = Criterion.objects.get(code="E2", section__framework=drafting.framework)
    value, _change = rows[evidence.question]
    for shown in (
        EVIDENCE_DETAILS["title"],
        "Type: Randomised controlled trial",
        "Published or completed: 14 March 2024",
        EVIDENCE_DETAILS["summary"],
        "May be published: Yes",
    ):
        assert shown in value


def test_change_about_your_product_saves_and_returns_to_check_answers(client, drafting):
    url = f"/submissions/{drafting.pk}/about/?return=check"
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert page.select_one("#id_summary").get_text() == drafting.summary
    assert page.select_one("#id_existing_product") is None  # settled when it was started
    data = {
        "product_name": drafting.product_name,
        "summary": "A clearer summary of what it does.",
        "category": drafting.category.pk,
        "esf_tier": "C",
        "device_class": "IIa",
        "pricing_model": "per_user",
        "deployment_model": "cloud",
        "website": "",
    }
    response = client.post(url, data)
    assert response["Location"] == f"/submissions/{drafting.pk}/check-your-answers/"
    drafting.refresh_from_db()
    assert (drafting.summary, drafting.esf_tier, drafting.device_class) == (
        "A clearer summary of what it does.",
        "C",
        "IIa",
    )
    event = SubmissionEvent.objects.get(submission=drafting, action="about_changed")
    assert event.detail["esf_tier"] == "C" and "category" not in event.detail
    assert _rows(client, drafting)["Medical device class"][0] == "Class IIa"


def test_about_your_product_refuses_a_blank_summary_and_keeps_the_old_one(client, drafting):
    response = client.post(
        f"/submissions/{drafting.pk}/about/",
        {"product_name": drafting.product_name, "summary": "", "category": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter the product&#x27;s summary" in html and "Select a category" in html
    drafting.refresh_from_db()
    assert drafting.summary == "Helps people with COPD manage breathlessness at home."


def test_a_sent_submission_has_no_change_links_and_its_about_page_refuses(client, drafting):
    answer_everything(client, drafting)
    client.post(f"/submissions/{drafting.pk}/check-your-answers/", {"declaration": "on"})
    drafting.refresh_from_db()
    assert drafting.status == "submitted"
    assert not [change for _value, change in _rows(client, drafting).values() if change]
    response = client.post(f"/submissions/{drafting.pk}/about/", {"summary": "Sneaky"})
    assert response["Location"] == f"/submissions/{drafting.pk}/"
    drafting.refresh_from_db()
    assert drafting.summary != "Sneaky"


def test_a_change_link_on_a_question_returns_to_check_answers(client, drafting):
    criterion = Criterion.objects.get(code="A1", section__framework=drafting.framework)
    response = client.post(question_url(drafting, criterion) + "?return=check", {"value": "x"})
    assert response["Location"] == f"/submissions/{drafting.pk}/check-your-answers/"


def test_an_upload_from_a_change_link_still_returns_to_check_answers(client, drafting):
    criterion = Criterion.objects.get(code="E2", section__framework=drafting.framework)
    url = question_url(drafting, criterion) + "?return=check"
    response = client.post(url, {"value": pdf(), **EVIDENCE_DETAILS})
    assert response["Location"] == url
    response = client.post(url, {})
    assert response["Location"] == f"/submissions/{drafting.pk}/check-your-answers/"


def _question(client, submission, code, data=None):
    criterion = Criterion.objects.get(code=code, section__framework=submission.framework)
    url = question_url(submission, criterion)
    response = client.post(url, data) if data is not None else client.get(url)
    return criterion, BeautifulSoup(response.content, "html.parser")


def test_standard_dates_use_the_nhs_date_input_and_errors_name_the_field(client, drafting):
    criterion = Criterion.objects.filter(
        section__framework=drafting.framework, question_type="standard_status"
    ).first()
    url = question_url(drafting, criterion)
    page = BeautifulSoup(client.get(url).content, "html.parser")
    assert page.select_one("#id_assessed_on.nhsuk-date-input") is not None
    assert not page.select("input[type=date]")
    page = BeautifulSoup(client.post(url, {}).content, "html.parser")
    summary = page.select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert f"Select whether the product meets {criterion.standard.name}" in summary
    page = BeautifulSoup(
        client.post(
            url,
            {
                "status": "met",
                "assessed_on_0": "31",
                "assessed_on_1": "2",
                "assessed_on_2": "2024",
            },
        ).content,
        "html.parser",
    )
    summary = page.select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert "Date assessed must be a real date" in summary
    assert not drafting.answers.filter(criterion=criterion).exists()
    response = client.post(
        url,
        {"status": "met", "assessed_on_0": "3", "assessed_on_1": "2", "assessed_on_2": "2024"},
    )
    assert response.status_code == 302
    value = drafting.answers.get(criterion=criterion).value
    assert value["assessed_on"] == "2024-02-03"


def test_required_questions_say_what_to_do_not_this_field_is_required(client, drafting):
    criteria = Criterion.objects.filter(section__framework=drafting.framework, mandatory=True)
    for criterion in criteria.exclude(question_type="file"):
        if not criterion.applies_to(drafting.esf_tier, drafting.is_medical_device):
            continue
        html = client.post(question_url(drafting, criterion), {}).content.decode()
        assert "This field is required" not in html, criterion.code
        assert "There is a problem" in html, criterion.code


def test_file_inputs_are_the_nhs_file_upload(client, drafting):
    _criterion, page = _question(client, drafting, "E2")
    upload = page.select_one(".nhsuk-file-upload")
    assert upload.select_one("input[type=file]")["class"] == ["nhsuk-file-upload__input"]
    date = page.select_one("#id_completed_on.nhsuk-date-input")
    parts = [(box["name"], box.find_previous("label").get_text()) for box in date.select("input")]
    assert parts == [
        ("completed_on_0", "Day"),
        ("completed_on_1", "Month"),
        ("completed_on_2", "Year"),
    ]
    # The question is the page's heading, not the first detail asked about the document.
    assert page.select_one("h1 label")["for"] == "id_value"
    _criterion, page = _question(client, drafting, "E2", {"value": pdf()})
    assert page.select_one(".nhsuk-error-summary") is not None


def test_a_new_draft_does_not_open_with_every_question_failing(client, drafting):
    html = client.get(f"/submissions/{drafting.pk}/").content.decode()
    assert "Not answered" not in html
    client.post(f"/submissions/{drafting.pk}/check-your-answers/", {})
    html = client.get(f"/submissions/{drafting.pk}/").content.decode()
    assert "Not answered" in html
