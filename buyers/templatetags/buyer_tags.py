"""The buyer tools on catalogue pages. The product page model knows nothing of them: its
template asks here for the state of its buttons and peer contact links."""

from django import template

from buyers import views

register = template.Library()


@register.simple_tag(takes_context=True)
def buyer_state(context, product):
    """{% buyer_state page as buyer %}: in_compare, on_shortlist, pending_claims and return_to
    for one product, for the person viewing it (never inside a `catalogue_cache` fragment)."""
    return views.product_page_context(context["request"], product)


@register.simple_tag
def contactable_adoptions(proof):
    """{% contactable_adoptions proof as contactable %}: the ids of the adoptions a peer can
    ask about, the same for everyone."""
    return views.contactable_adoptions(proof)
