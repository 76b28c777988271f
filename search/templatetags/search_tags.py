"""Search on pages that are not the search page. Page models stay free of the engine: a
template asks for what it shows."""

from django import template

from search.engine import similar_products as find_similar_products

register = template.Library()


@register.simple_tag
def similar_products(page, size=4):
    """{% similar_products page 4 as similar %}: products like this one, from the index or,
    when it cannot answer, from the database."""
    return find_similar_products(page, size)
