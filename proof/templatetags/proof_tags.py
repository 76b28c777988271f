"""How a DTAC state looks: the words come from proof.rules, the colour backs them up."""

from django import template

from proof.rules import DTAC_SECTION_REQUIREMENTS, DtacState
from registry.templatetags.registry_tags import compliance_tag

register = template.Library()

DTAC_COLOURS = {
    DtacState.PASSED: "green",
    DtacState.LAPSED: "orange",
    DtacState.NOT_PASSED: "red",
    DtacState.NOT_ASSESSED: "grey",
}


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
