"""The buyer tools on catalogue pages. The product page model knows nothing of them: its
template asks here for the state of its buttons and peer contact links."""

from django import template

from buyers.views import product_page_context

register = template.Library()


@register.simple_tag(takes_context=True)
def buyer_state(context, product, proof):
    """{% buyer_state page proof as buyer %}: in_compare, on_shortlist, pending_claims,
    contactable_adoptions and return_to for one product, for the person viewing it."""
    return product_page_context(context["request"], product, proof)
