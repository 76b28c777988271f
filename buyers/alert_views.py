"""Saving a search, listing saved searches, and unsubscribing from a digest by its signed
link (no sign-in needed). See buyers/alerts.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from search.results import describe_search

from .alerts import (
    MAX_SAVED_SEARCHES_PER_USER,
    params_for,
    save_search,
    saved_search_for_token,
    unsubscribe,
)
from .models import SavedSearch


@login_required
def saved_searches(request):
    searches = [
        {
            "saved": saved,
            "description": describe_search(params_for(saved)),
            "href": f"{reverse('search')}?{saved.query_string}",
        }
        for saved in SavedSearch.objects.filter(user=request.user)
    ]
    return render(request, "buyers/saved_searches.html", {"searches": searches})


@login_required
@require_POST
def save(request):
    """The search to save is in the address (the search page's own query string)."""
    active = SavedSearch.objects.filter(user=request.user, unsubscribed_at__isnull=True)
    if active.count() >= MAX_SAVED_SEARCHES_PER_USER:
        messages.warning(
            request,
            f"You have {MAX_SAVED_SEARCHES_PER_USER} saved searches, the most you can have. "
            "Delete one before saving another.",
        )
        return redirect(reverse("saved-searches"))
    saved, created = save_search(request.user, request.GET, request.POST.get("name", ""))
    if created:
        messages.success(
            request,
            f"Search saved. We will email you when new products match \u2018{saved.name}\u2019.",
        )
    else:
        messages.success(request, f"You already get emails for \u2018{saved.name}\u2019.")
    return redirect(f"{reverse('search')}?{saved.query_string}")


@login_required
@require_POST
def delete(request, pk):
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    saved.delete()
    messages.success(request, f"Saved search \u2018{saved.name}\u2019 deleted.")
    return redirect(reverse("saved-searches"))


@csrf_exempt  # the signed token is the authority; mail programs POST here (RFC 8058)
def unsubscribe_page(request, token):
    saved = saved_search_for_token(token)
    if saved is None:
        return render(request, "buyers/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        unsubscribe(saved)
        return render(request, "buyers/unsubscribe.html", {"saved": saved, "done": True})
    return render(request, "buyers/unsubscribe.html", {"saved": saved, "done": False})
