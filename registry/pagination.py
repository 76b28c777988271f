"""Pagination for every listing on the site, in one place: the catalogue's index pages and
the search page number their pages the same way and render includes/pagination.html."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property

from shared_cache import kept_for_everyone

LISTING_PAGE_SIZE = 20


class CatalogueCountPaginator(Paginator):
    """Counts a listing that is the same for everyone once, in the shared cache with the
    pages (shared_cache): a count of 20,000 live products is a costly query, and every
    signed-in visit to a listing asks for it."""

    def __init__(self, object_list, per_page, count_key):
        super().__init__(object_list, per_page)
        self.count_key = count_key

    @cached_property
    def count(self):
        return kept_for_everyone(
            "listing-count", [self.count_key], lambda: Paginator.count.func(self)
        )


def paginate(request, queryset, per_page=LISTING_PAGE_SIZE, count_key=None):
    """The page of `queryset` the request asks for (`?page=`); out-of-range or junk page
    numbers give the nearest real page rather than an error. `count_key` names a listing that
    is the same for everyone (the catalogue's), so its count is kept in the shared cache."""
    if count_key is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = CatalogueCountPaginator(queryset, per_page, count_key)
    return paginator.get_page(request.GET.get("page"))


def page_links(page_obj, href):
    """What includes/pagination.html needs for a Django Page: numbered links with the middle
    elided, and previous and next. `href(number)` builds each link, so a caller keeps its own
    query string (the search and its filters, for example)."""
    if page_obj is None or not page_obj.has_other_pages():
        return {"show": False}
    paginator = page_obj.paginator
    items = []
    for number in paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1):
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append(
                {"number": number, "href": href(number), "current": number == page_obj.number}
            )
    return {
        "show": True,
        "items": items,
        "previous_href": href(page_obj.previous_page_number()) if page_obj.has_previous() else "",
        "next_href": href(page_obj.next_page_number()) if page_obj.has_next() else "",
    }
