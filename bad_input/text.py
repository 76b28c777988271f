"""What text the registry accepts, in one place.

No text anywhere may hold NUL or another control character: PostgreSQL cannot store NUL,
and the others are never typed by people (they come from broken files and from probes).
Tab, carriage return and line feed are text; a one-line field (a name, a title) still takes
no line break, because a name with one broke email headers.
"""

import re

# C0 controls except tab, LF and CR; DEL; C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]")
# Lone surrogates cannot be encoded as UTF-8: they come from broken files and crash writes.
_SURROGATE = re.compile(r"[\ud800-\udfff]")

CONTROL_MESSAGE = (
    "Remove the hidden control characters (such as NUL) from this text. They often come "
    "from copying out of another program."
)
LINE_BREAK_MESSAGE = "Enter this on one line: remove the line breaks."


def bad_characters(text):
    """The first unacceptable character in the text, or None."""
    match = _CONTROL.search(text) or _SURROGATE.search(text)
    return match.group(0) if match else None


def describe(character):
    return f"U+{ord(character):04X}"


def one_line(text):
    """For email headers and other single-line places: control characters and line breaks
    become spaces, runs of spaces one space."""
    text = _SURROGATE.sub("", str(text))
    return " ".join(_LINE_BREAK.sub(" ", _CONTROL.sub(" ", text)).split())


def has_line_break(text):
    return bool(_LINE_BREAK.search(text))
