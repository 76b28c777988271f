"""StreamField blocks for narrative content, built from the NHS.UK frontend components."""

from wagtail import blocks
from wagtailnhsukfrontend import blocks as nhsuk

RICH_TEXT_FEATURES = ["h2", "h3", "h4", "bold", "italic", "ol", "ul", "link", "document-link"]


class ContentBlock(blocks.StreamBlock):
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    inset_text = nhsuk.InsetTextBlock()
    warning_callout = nhsuk.WarningCalloutBlock()
    details = nhsuk.DetailsBlock()
    action_link = nhsuk.ActionLinkBlock()
    do_list = nhsuk.DoBlock()
    dont_list = nhsuk.DontBlock()
    summary_list = nhsuk.SummaryListBlock()
    image = nhsuk.ImageBlock()

    class Meta:
        template = "registry/blocks/content.html"
