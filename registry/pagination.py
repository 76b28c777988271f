"""Pagination for every listing on the site, in one place: the catalogue's index pages and
the search page number their pages the same way and render includes/pagination.html."""

from django.core.paginator import Paginator

LISTING_PAGE_SIZE = 20


def paginate(request, queryset, per_page=LISTING_PAGE_SIZE):
    """The page of `queryset` the request asks for (`?page=`); out-of-range or junk page
    numbers give the nearest real page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
