"""One rule for every Django form in the project (the site's, the Wagtail admin's): a text
field refuses control characters, and a one-line field (any text input that is not a text
area or hidden) refuses line breaks, each with an error beside the field.

Applied once, when the app loads, to `django.forms.CharField`, so no form can forget it:
`refuse_bad_text` runs after Django's own conversion of the value. The middleware
(bad_input.middleware) refuses control characters even earlier; this is what catches a
line break in a name before it reaches an email header.
"""

from django import forms
from django.core.exceptions import ValidationError

from .text import CONTROL_MESSAGE, LINE_BREAK_MESSAGE, bad_characters, has_line_break

ONE_LINE_INPUT_TYPES = {"text", "email", "search", "tel", "url", "password"}


def is_one_line(field):
    widget = field.widget
    return (
        not isinstance(widget, forms.Textarea)
        and getattr(widget, "input_type", None) in ONE_LINE_INPUT_TYPES
    )


def refuse_bad_text(field, value):
    if not isinstance(value, str) or not value:
        return value
    if bad_characters(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_characters")
    if is_one_line(field) and has_line_break(value):
        raise ValidationError(LINE_BREAK_MESSAGE, code="line_break")
    return value


def install():
    original = forms.CharField.to_python
    if getattr(original, "refuses_bad_text", False):
        return

    def to_python(self, value):
        return refuse_bad_text(self, original(self, value))

    to_python.refuses_bad_text = True
    forms.CharField.to_python = to_python
