"""`{% catalogue_cache "name" [vary_on ...] %}...{% endcatalogue_cache %}`: a fragment of a page
that is the same for everyone and costly to work out, kept in the shared cache under the page
cache's version and today's London date, for the page cache's lifetime (config/page_cache.py).
Signed-in pages, which are never cached whole, reuse it too. A publish or a change to the
catalogue drops it with the pages; nothing personal (a CSRF token, a name, a shortlist) may be
inside one. With `PAGE_CACHE_SECONDS=0`, and in an editor's preview of a draft, it renders
every time and touches no cache."""

from django import template

from shared_cache import kept_for_everyone

register = template.Library()


class CatalogueCacheNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist, self.name, self.vary_on = nodelist, name, vary_on

    def render(self, context):
        request = context.get("request")
        if getattr(request, "is_preview", False):
            # An editor's preview shows the draft, never the live page's parts.
            return self.nodelist.render(context)
        return kept_for_everyone(
            self.name.resolve(context),
            [value.resolve(context) for value in self.vary_on],
            lambda: self.nodelist.render(context),
        )


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
