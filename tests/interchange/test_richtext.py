"""Rich text to plain paragraphs: the quick reading of editor HTML gives exactly the
HTML parser's answer, and leaves anything it does not know to the parser."""

from hypothesis import given, settings
from hypothesis import strategies as st

from interchange import richtext

TAGS = ["p", "h2", "h3", "ul", "ol", "li", "strong", "em", "br", "hr", "blockquote", "div", "b"]
TEXTS = ["Hello", " ", "\n", "A&amp;E", "A & E", "x &lt; y", "caf&eacute;", "5 > 3", "", "  two  "]


def parsed(html):
    parser = richtext._ParagraphParser()
    parser.feed(html)
    parser.close()
    return parser.paragraphs, parser.lossless


def start_tag(tag, key):
    attribute = f' data-block-key="{key}"' if key else ""
    return f"<{tag}{attribute}>"


def token():
    start = st.builds(start_tag, st.sampled_from(TAGS), st.sampled_from(["", "a1b2"]))
    end = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
    return st.one_of(start, end, st.sampled_from(TEXTS), st.text(max_size=8))


@settings(max_examples=400, deadline=None)
@given(st.lists(token(), max_size=14))
def test_the_quick_reading_agrees_with_the_parser(tokens):
    html = "".join(tokens)
    quick = richtext._simple_paragraphs(html)
    if quick is not None:
        assert quick == parsed(html), html
    assert richtext.html_to_paragraphs(html) == parsed(html)


def test_editor_html_is_read_quickly_and_anything_else_by_the_parser():
    editor = (
        '<h2 data-block-key="k1">What it does</h2><p data-block-key="k2">Finds A&amp;E '
        "repeat attenders.</p><ul><li>Alerts</li><li>Reports</li></ul><p>Plain.</p>"
    )
    assert richtext._simple_paragraphs(editor) == (
        ["What it does", "Finds A&E repeat attenders.", "Alerts", "Reports", "Plain."],
        False,
    )
    assert richtext._simple_paragraphs("<p>One.</p><p>Two.</p>") == (["One.", "Two."], True)
    for other in ('<p><a href="https://x.example">link</a></p>', "<p>a<br/>b</p>", "<P>x</P>"):
        assert richtext._simple_paragraphs(other) is None
        assert richtext.html_to_paragraphs(other) == parsed(other)
