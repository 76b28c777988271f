from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import render

from registry.models import ProductPage

MAX_QUERY_LENGTH = 200


def search(request):
    """Product search from the database: words must each appear in the name, supplier or
    summary."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    products = ProductPage.objects.none()
    if query:
        products = ProductPage.objects.live().public().select_related("supplier", "category")
        for word in query.split():
            products = products.filter(
                Q(title__icontains=word)
                | Q(supplier__name__icontains=word)
                | Q(summary__icontains=word)
            )
        products = products.order_by("title", "pk")
    results = Paginator(products, 20).get_page(request.GET.get("page"))
    return render(request, "search/search.html", {"query": query, "results": results})
