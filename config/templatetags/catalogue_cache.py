"""`{% catalogue_cache "name" [vary_on ...] %}...{% endcatalogue_cache %}`: a fragment of a page
that is the same for everyone and costly to work out, kept in the shared cache under the page
cache's version and today's London date, for the page cache's lifetime (config/page_cache.py).
Signed-in pages, which are never cached whole, reuse it too. A publish or a change to the
catalogue drops it with the pages; nothing personal (a CSRF token, a name, a shortlist) may be
inside one. With `PAGE_CACHE_SECONDS=0` it renders every time and touches no cache."""

import logging

from django import template
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError

from config.page_cache import lifetime, read_fragment

logger = logging.getLogger(__name__)
register = template.Library()


class CatalogueCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        if not settings.PAGE_CACHE_SECONDS:
            return self.nodelist.render(context)
        name = self.name.resolve(context)
        try:
            key, stored = read_fragment(name, [value.resolve(context) for value in self.vary_on])
        except DatabaseError as exc:
            logger.warning("A cached fragment could not be read: %s", exc)
            return self.nodelist.render(context)
        if stored is not None:
            return stored
        rendered = self.nodelist.render(context)
        try:
            cache.set(key, rendered, timeout=lifetime())
        except DatabaseError as exc:
            logger.warning("A cached fragment could not be written: %s", exc)
        return rendered


@register.tag
def catalogue_cache(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError(f"'{bits[0]}' needs a fragment name.")
    nodelist = parser.parse(("endcatalogue_cache",))
    parser.delete_first_token()
    return CatalogueCacheNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(bit) for bit in bits[2:]]
    )
