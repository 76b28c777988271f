import datetime

from django import template

from assessments.models import ComplianceStatus, QuestionType

register = template.Library()


def _date(value):
    return datetime.date.fromisoformat(value).strftime("%-d %B %Y") if value else ""


@register.filter
def answer_text(state):
    """An answer as the check-answers page and the assessor read it."""
    value = state.value
    if value in (None, "", []):
        return "Not answered"
    kind = state.criterion.question_type
    if kind == QuestionType.YES_NO:
        return "Yes" if value == "yes" else "No"
    if kind == QuestionType.MULTIPLE_CHOICE:
        return ", ".join(value)
    if kind == QuestionType.DATE:
        return _date(value)
    if kind == QuestionType.NUMBER:
        return f"{value:g}"
    if kind == QuestionType.STANDARD_STATUS:
        parts = [ComplianceStatus(value["status"]).label]
        if value.get("assessed_on"):
            parts.append(f"assessed {_date(value['assessed_on'])}")
        if value.get("expires_on"):
            parts.append(f"expires {_date(value['expires_on'])}")
        return ", ".join(parts)
    return value


@register.filter
def evidence_type_label(upload):
    from registry.choices import EvidenceType

    return dict(EvidenceType.choices).get(upload.evidence_type, upload.evidence_type)
