from django import template

from assessments.forms import StartForm
from assessments.history import answer_in_words
from assessments.services import ABOUT_FIELDS

register = template.Library()


@register.filter
def answer_text(state):
    """An answer as the check-answers page and the assessor read it."""
    return answer_in_words(state.criterion.question_type, state.value)


@register.filter
def evidence_type_label(upload):
    from registry.choices import EvidenceType

    return dict(EvidenceType.choices).get(upload.evidence_type, upload.evidence_type)


@register.simple_tag
def about_answers(submission):
    """The answers to "About your product", labelled as the innovator was asked them: for
    check answers (with Change links to each field) and the assessor's product summary."""
    fields = StartForm(editing=True).fields
    rows = []
    for name in ABOUT_FIELDS:
        field = fields[name]
        value = getattr(submission, name)
        if name == "category":
            shown = value.name if value else ""
        elif getattr(field, "choices", None):
            shown = dict(field.choices).get(value, value)
        else:
            shown = value
        label = field.label.removesuffix(" (optional)")
        rows.append({"name": name, "label": label, "value": shown or "Not answered"})
    return rows
