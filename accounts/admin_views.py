"""The scaling team's list of pending memberships in the Wagtail admin: people who say they
work for an organisation and wait to be confirmed. Confirming or declining is audit-logged
(accounts.membership_decisions). Only users who may change memberships (Editors, superusers)
reach it."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import membership_decisions
from .models import pending_memberships

DECIDE_PERMISSION = "accounts.change_membership"


@permission_required(DECIDE_PERMISSION, raise_exception=True)
def pending(request):
    memberships = (
        pending_memberships().select_related("user", "organisation").order_by("created_at")
    )
    return render(request, "accounts/admin/pending.html", {"memberships": memberships})


@require_POST
@permission_required(DECIDE_PERMISSION, raise_exception=True)
def decide(request, pk):
    membership = get_object_or_404(pending_memberships(), pk=pk)
    who = f"{membership.user.email} at {membership.organisation.name}"
    decision = request.POST.get("decision")
    if decision == "confirm":
        membership_decisions.confirm(membership, request.user)
        messages.success(request, f"Confirmed {who}.")
    elif decision == "decline":
        membership_decisions.decline(membership, request.user)
        messages.success(request, f"Declined {who}.")
    else:
        messages.error(request, "Choose confirm or decline.")
    return redirect("accounts_admin:pending")
