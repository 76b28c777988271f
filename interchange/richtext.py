"""Plain paragraphs in the file, HTML paragraphs in the database.

The file carries text only: a paragraph is a string. On the way in each becomes
`<p>escaped text</p>`; on the way out each `<p>` becomes a string again. Formatting an
editor added in the admin (bold, links, lists, headings) has no place in the format, so
the export keeps its words and drops the markup, and says so (`lossless` is False).
"""

import re
from html import escape, unescape
from html.parser import HTMLParser

from wagtail.rich_text import RichText

TEXT_BLOCK = "text"
# Draftail adds these to every block; they carry no content.
IGNORED_ATTRIBUTES = {"data-block-key"}
BLOCK_TAGS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "div"}


def paragraphs_to_html(paragraphs):
    return "".join(f"<p>{escape(text, quote=False)}</p>" for text in paragraphs)


def paragraphs_to_stream(paragraphs):
    """StreamField data: one "text" block per paragraph."""
    return [(TEXT_BLOCK, RichText(paragraphs_to_html([text]))) for text in paragraphs]


class _ParagraphParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs = []
        self.current = None
        self.depth = 0
        self.lossless = True

    def _finish(self):
        if self.current is not None and self.current.strip():
            self.paragraphs.append(self.current)
        self.current = None

    def handle_starttag(self, tag, attrs):
        plain_paragraph = tag == "p" and all(name in IGNORED_ATTRIBUTES for name, _ in attrs)
        if self.depth == 0 and plain_paragraph:
            self._finish()
            self.current = ""
        else:
            self.lossless = False
            if tag in BLOCK_TAGS or tag == "br":
                self._finish()
                self.current = ""
        if tag not in {"br", "hr", "img", "embed"}:
            self.depth += 1

    def handle_startendtag(self, tag, attrs):
        self.lossless = False
        if tag in {"br", "hr"}:
            self._finish()
            self.current = ""

    def handle_endtag(self, tag):
        self.depth = max(self.depth - 1, 0)
        if tag in BLOCK_TAGS:
            self._finish()

    def handle_data(self, data):
        if self.current is None:
            if not data.strip():
                return
            self.lossless = False
            self.current = ""
        self.current += data

    def close(self):
        super().close()
        self._finish()


# Rich text as Wagtail's editor stores it: bare tags (a paragraph's only attribute is its
# block key) and text. Anything else (links, comments, self-closing tags) goes to the parser.
_SIMPLE_TOKEN = re.compile(r'<(/?)([a-z][a-z0-9]*)(?: data-block-key="[^"<>&]*")?>|([^<]+)')
_NO_DEPTH_TAGS = frozenset({"br", "hr", "img", "embed"})
_RAW_TEXT_TAGS = frozenset({"script", "style"})


def _simple_paragraphs(html):
    """What _ParagraphParser answers for HTML of bare tags and text, some five times
    faster (the open data files read every product's description); None for other HTML.
    tests/registry/test_richtext.py holds the two to the same answers."""
    paragraphs, current, depth, lossless = [], None, 0, True
    position, end = 0, len(html)
    while position < end:
        token = _SIMPLE_TOKEN.match(html, position)
        if token is None:
            return None
        position = token.end()
        closing, tag, text = token.groups()
        if text is not None:
            data = unescape(text) if "&" in text else text
            if current is None:
                if not data.strip():
                    continue
                lossless = False
                current = ""
            current += data
            continue
        if tag in _RAW_TEXT_TAGS:
            return None
        if closing:
            depth = max(depth - 1, 0)
            if tag not in BLOCK_TAGS:
                continue
        elif depth == 0 and tag == "p":
            pass
        else:
            lossless = False
            if tag not in BLOCK_TAGS and tag != "br":
                depth += tag not in _NO_DEPTH_TAGS
                continue
        if current is not None and current.strip():
            paragraphs.append(current)
        current = None if closing else ""
        if not closing:
            depth += tag not in _NO_DEPTH_TAGS
    if current is not None and current.strip():
        paragraphs.append(current)
    return paragraphs, lossless


def html_to_paragraphs(html):
    """(paragraphs, lossless) for rich text HTML."""
    simple = _simple_paragraphs(html or "")
    if simple is not None:
        return simple
    parser = _ParagraphParser()
    parser.feed(html or "")
    parser.close()
    return parser.paragraphs, parser.lossless


def stream_to_paragraphs(stream):
    """(paragraphs, lossless) for a StreamField: other block types are left out.

    Reads the stream's raw data (a text block's raw value is its HTML source), so no block
    is built: the open data files read every product's description."""
    paragraphs, lossless = [], True
    for block in stream.raw_data:
        if block["type"] != TEXT_BLOCK:
            lossless = False
            continue
        block_paragraphs, block_lossless = html_to_paragraphs(block["value"])
        paragraphs += block_paragraphs
        lossless = lossless and block_lossless
    return paragraphs, lossless
