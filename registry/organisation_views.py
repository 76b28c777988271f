"""Public organisation pages: what an NHS or care organisation has adopted (confirmed only)
and its case studies; for a supplier, its live products. Adopter lists and case studies
link here, so a buyer can see what a peer uses beside the product they came from.

The organisation's formulary and "organisations like yours" come from template tags of the
apps above the catalogue (formularies, insight), so the catalogue imports neither."""

from django.shortcuts import get_object_or_404, render

from .models import (
    Adoption,
    CaseStudyPage,
    Organisation,
    ProductPage,
    live_products,
    paginate,
)


def organisation_page(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    adoptions = (
        Adoption.objects.filter(
            organisation=organisation,
            confirmed=True,
            product__in=live_products().values("pk"),
        )
        .select_related("product", "product__supplier", "product__category")
        .order_by("product__title")
    )
    case_studies = (
        CaseStudyPage.visible()
        .filter(organisation=organisation)
        .prefetch_related("outcomes")
        .order_by("-published_on", "title")
    )
    products = None
    if organisation.is_supplier:
        products = paginate(
            request,
            ProductPage.objects.live()
            .public()
            .filter(supplier=organisation)
            .select_related("supplier", "category")
            .order_by("title"),
        )
    context = {
        "organisation": organisation,
        "adoptions": list(adoptions),
        "case_studies": list(case_studies),
        "products": products,
    }
    return render(request, "registry/organisation.html", context)
