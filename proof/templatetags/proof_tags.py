"""How proof looks on the public pages: a standard's status and a DTAC state as tags (the
words come from proof.rules, the colour backs them up), and the proof a page shows, loaded
here so the page models import nothing from this layer."""

from django import template
from django.core.paginator import Page

from assessments.models import EXPIRED, ComplianceStatus
from proof.loading import attach_standings
from proof.product import ProductProof
from proof.rules import DTAC_SECTION_REQUIREMENTS, DtacState

register = template.Library()

# Colour backs up the words in a status tag; it is never the only signal.
COMPLIANCE_TAG_COLOURS = {
    ComplianceStatus.MET: "green",
    ComplianceStatus.PARTIALLY_MET: "yellow",
    ComplianceStatus.IN_PROGRESS: "grey",
    ComplianceStatus.NOT_MET: "red",
    ComplianceStatus.NOT_APPLICABLE: "white",
    EXPIRED: "red",
}
NO_INFORMATION = ("No information", "grey")

DTAC_COLOURS = {
    DtacState.PASSED: "green",
    DtacState.LAPSED: "orange",
    DtacState.NOT_PASSED: "red",
    DtacState.NOT_ASSESSED: "grey",
}


@register.simple_tag
def product_proof(page):
    """The product page's proof (proof.product.ProductProof): `{% product_proof page as
    proof %}` inside each part of the page that shows it. The parts are kept for everyone
    (`catalogue_cache`), so it is loaded only when one of them is not, and once per page."""
    proof = getattr(page, "_loaded_proof", None)
    if proof is None:
        proof = page._loaded_proof = ProductProof.load(page)
    return proof


@register.simple_tag
def with_proof(products):
    """The products, each with its ``proof_standing`` for the card include, loaded in one go
    for the whole list (or page of a paginated list): `{% with_proof products as products %}`."""
    if isinstance(products, Page):
        products.object_list = attach_standings(products.object_list)
        return products
    return attach_standings(products)


@register.inclusion_tag("registry/includes/status_tag.html")
def compliance_tag(row):
    """A product's status against one standard, as the public sees it today."""
    if row is None:
        label, colour = NO_INFORMATION
    else:
        label = row.effective_status_label
        colour = COMPLIANCE_TAG_COLOURS.get(row.effective_status, "grey")
    return {"label": label, "colour": colour}


def dtac_colour(dtac):
    return DTAC_COLOURS.get(dtac.state, "grey")


@register.filter
def dtac_state_colour(state):
    return DTAC_COLOURS.get(state, "grey")


@register.inclusion_tag("registry/includes/status_tag.html")
def dtac_tag(dtac):
    """A DTAC state (proof.rules.Dtac) reads passed, lapsed, not passed or not assessed."""
    return {"label": dtac.label, "colour": dtac_colour(dtac)}


@register.inclusion_tag("registry/includes/status_tag.html")
def standard_status_tag(proof, standard, row):
    """A row of the standards table: the DTAC and its sections show their derived state,
    every other standard its status as the public sees it today."""
    if standard.code == "DTAC":
        return dtac_tag(proof.dtac)
    if standard.code in DTAC_SECTION_REQUIREMENTS:
        return dtac_tag(proof.dtac_sections[standard.code])
    return compliance_tag(row)
