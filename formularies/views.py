"""A local formulary's public page, JSON and embeddable page, and its editing page for the
organisation's confirmed members (buyers.membership.verified_organisations)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_http_methods

from buyers.membership import verified_organisations
from registry.models import Organisation

from .forms import AddEntryForm, IntroductionForm
from .models import Formulary, FormularyEntry


def _published(pk):
    formulary = (
        Formulary.objects.public().select_related("organisation").filter(organisation_id=pk).first()
    )
    if formulary is None:
        raise Http404("This organisation has not published a formulary.")
    return formulary


def _entries(formulary):
    return list(
        formulary.entries.filter(product__live=True)
        .select_related("product", "product__supplier", "product__category")
        .order_by("product__title")
    )


def formulary_page(request, pk):
    formulary = _published(pk)
    return render(
        request,
        "formularies/formulary.html",
        {
            "formulary": formulary,
            "organisation": formulary.organisation,
            "entries": _entries(formulary),
            "can_edit": _may_edit(request.user, formulary.organisation),
        },
    )


def formulary_json(request, pk):
    formulary = _published(pk)
    organisation = formulary.organisation
    return JsonResponse(
        {
            "organisation": {
                "name": organisation.name,
                "ods_code": organisation.ods_code,
                "kind": organisation.kind,
                "region": organisation.region,
            },
            "introduction": formulary.introduction,
            "updated_at": formulary.updated_at.isoformat(),
            "address": request.build_absolute_uri(reverse("formulary", args=[pk])),
            "products": [
                {
                    "name": entry.product.title,
                    "supplier": entry.product.supplier.name,
                    "category": entry.product.category.name,
                    "address": request.build_absolute_uri(entry.product.url),
                    "note": entry.note,
                    "added_on": entry.added_at.date().isoformat(),
                }
                for entry in _entries(formulary)
            ],
        },
        json_dumps_params={"ensure_ascii": False},
    )


@xframe_options_exempt
def formulary_embed(request, pk):
    """A page with no scripts and no site chrome, for an <iframe> on the organisation's own
    website; every link opens the registry in the top window."""
    formulary = _published(pk)
    return render(
        request,
        "formularies/embed.html",
        {
            "formulary": formulary,
            "organisation": formulary.organisation,
            "entries": _entries(formulary),
        },
    )


def _may_edit(user, organisation):
    return verified_organisations(user).filter(pk=organisation.pk).exists()


@require_http_methods(["GET", "POST"])
def formulary_edit(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not _may_edit(request.user, organisation):
        raise PermissionDenied(
            "Only confirmed members of this organisation may edit its formulary."
        )
    formulary, _ = Formulary.objects.get_or_create(organisation=organisation)
    add_form = AddEntryForm(formulary=formulary)
    introduction_form = IntroductionForm(instance=formulary)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "add":
            add_form = AddEntryForm(request.POST, formulary=formulary)
            if add_form.is_valid():
                with transaction.atomic():
                    FormularyEntry.objects.create(
                        formulary=formulary,
                        product=add_form.cleaned_data["product"],
                        note=add_form.cleaned_data["note"],
                        added_by=request.user,
                    )
                    _touch(formulary)
                messages.success(request, f"{add_form.cleaned_data['product'].title} added.")
                return redirect("formulary-edit", pk=pk)
        elif action == "remove":
            entry = formulary.entries.filter(pk=request.POST.get("entry")).first()
            if entry is not None:
                entry.delete()
                _touch(formulary)
                messages.success(request, f"{entry.product.title} removed.")
            return redirect("formulary-edit", pk=pk)
        elif action in ("publish", "unpublish", "introduction"):
            introduction_form = IntroductionForm(request.POST, instance=formulary)
            if introduction_form.is_valid():
                formulary = introduction_form.save(commit=False)
                if action != "introduction":
                    formulary.published = action == "publish"
                _touch(formulary)
                messages.success(
                    request,
                    "Formulary published."
                    if action == "publish"
                    else "Formulary unpublished."
                    if action == "unpublish"
                    else "Introduction saved.",
                )
                return redirect("formulary-edit", pk=pk)
    return render(
        request,
        "formularies/edit.html",
        {
            "organisation": organisation,
            "formulary": formulary,
            "entries": list(formulary.entries.select_related("product").order_by("product__title")),
            "add_form": add_form,
            "introduction_form": introduction_form,
        },
    )


def _touch(formulary):
    formulary.updated_at = timezone.now()
    formulary.save()
