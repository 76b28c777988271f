"""A submission's history in words, for the assessor's review screen.

Events are stored with a short action name and a JSON detail (services.record), which is what
an audit needs; people read sentences. Each action has one sentence here and unknown actions
still read as words, so a new action never shows raw data."""

import datetime

from registry.choices import DeploymentModel, DeviceClass, EsfTier, PricingModel

from .models import ComplianceStatus, QuestionType, SubmissionStatus, Verdict

ABOUT_LABELS = {
    "product_name": "product name",
    "summary": "summary",
    "category": "category",
    "esf_tier": "NICE ESF tier",
    "device_class": "medical device class",
    "pricing_model": "pricing model",
    "deployment_model": "deployment",
    "website": "website",
}
ABOUT_CHOICES = {
    "esf_tier": dict(EsfTier.choices),
    "device_class": dict(DeviceClass.choices),
    "pricing_model": dict(PricingModel.choices),
    "deployment_model": dict(DeploymentModel.choices),
}
SENTENCES = {
    "started": "Started the submission",
    "submitted": "Sent the submission",
    "resubmitted": "Sent the submission again",
    "clarification_requested": "Asked the innovator for clarification",
    "approval_proposed": "Proposed approval, for a second assessor to sign off",
    "approved": "Signed off the approval: the product's draft went to the editors",
    SubmissionStatus.REJECTED: "Rejected the submission",
    SubmissionStatus.CHANGES_REQUESTED: "Asked the innovator for changes",
}


def _day(value):
    try:
        return datetime.date.fromisoformat(value).strftime("%-d %B %Y")
    except (TypeError, ValueError):
        return str(value)


def answer_in_words(question_type, value):
    """An answer as people read it (check answers, the review table and the history)."""
    if value in (None, "", []):
        return "Not answered"
    if question_type == QuestionType.YES_NO:
        return "Yes" if value == "yes" else "No"
    if question_type == QuestionType.MULTIPLE_CHOICE:
        return ", ".join(value)
    if question_type == QuestionType.DATE:
        return _day(value)
    if question_type == QuestionType.NUMBER:
        return f"{value:g}"
    if question_type == QuestionType.STANDARD_STATUS:
        parts = [ComplianceStatus(value["status"]).label]
        if value.get("assessed_on"):
            parts.append(f"assessed {_day(value['assessed_on'])}")
        if value.get("expires_on"):
            parts.append(f"expires {_day(value['expires_on'])}")
        return ", ".join(parts)
    return str(value)


def describe(event, criteria_by_code):
    """(what happened, the detail) for one SubmissionEvent, both in words."""
    detail = event.detail or {}
    action = event.action
    code = detail.get("criterion", "")
    criterion = criteria_by_code.get(code)
    if action == "answer_saved":
        kind = criterion.question_type if criterion else QuestionType.TEXT
        return f"Answered {code}", answer_in_words(kind, detail.get("value"))
    if action == "file_uploaded":
        return f"Uploaded a file to {code}", detail.get("file", "")
    if action == "verdict":
        verdict = dict(Verdict.choices).get(detail.get("verdict"), "Reviewed")
        return f"{verdict}: {code}", detail.get("comment", "")
    if action == "assigned":
        who = detail.get("assignee")
        return (f"Assigned to {who}" if who else "Left unassigned"), ""
    if action == "about_changed":
        changes = [
            f"{ABOUT_LABELS.get(name, name)}: "
            f"{ABOUT_CHOICES.get(name, {}).get(value, value) or 'removed'}"
            for name, value in detail.items()
        ]
        return "Changed About your product", "; ".join(changes)
    if action == "reassessment_opened":
        return (
            f"Opened a re-assessment of section {detail.get('section', '')}",
            f"{detail.get('standard', 'A standard')} expires {_day(detail.get('expires_on'))}",
        )
    sentence = SENTENCES.get(action) or action.replace("_", " ").capitalize()
    return sentence, detail.get("reasons", "")
