"""Pages for buyers: compare, shortlist (with its CSV and frozen records), "we use this
product" and "talk to an organisation that uses this".

Every button that changes something is a POST form with a CSRF token, so all of it works
without JavaScript. Bad input (an id that names nothing, a product unpublished meanwhile, a
fifth product, a full shortlist, too many messages) always ends in a clear message, never
an error page. See docs/buyer-tools.md.
"""

import datetime
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Membership
from accounts.throttling import posted_email, rate_limited
from accounts.views import posted_data, send_verification
from bad_input.text import one_line
from registry.models import Adoption, CaseStudyPage, ProductPage

from . import compare, membership
from .forms import AdoptionClaimForm, BuyerRegistrationForm, PeerMessageForm
from .models import AdoptionClaim, FrozenShortlist, PeerMessage
from .shortlist import MAX_ITEMS as SHORTLIST_MAX_ITEMS
from .shortlist import Shortlist, csv_text, describe_found_by, found_by_from, snapshot

PEER_MESSAGES_PER_DAY = 5


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _posted_product(request):
    """The live product a button names, or None (with a message) for anything else."""
    raw = (request.POST.get("product") or "").strip()
    product = None
    if raw.isdigit():
        product = (
            ProductPage.objects.live().public().select_related("supplier").filter(pk=raw).first()
        )
    if product is None:
        messages.error(
            request, "We could not find that product. It may have been removed from the registry."
        )
    return product


def product_page_context(request, product):
    """The product page's buyer buttons and the claims still waiting for the scaling team,
    for the person viewing it: everything on the page that is personal."""
    pending_claims = []
    if request.user.is_authenticated:
        pending_claims = list(
            AdoptionClaim.objects.filter(
                product=product,
                status=AdoptionClaim.Status.PENDING,
                organisation__in=membership.verified_organisations(request.user),
            ).select_related("organisation")
        )
    return {
        "pending_claims": pending_claims,
        "in_compare": product.pk in compare.session_ids(request.session),
        "on_shortlist": product.pk in Shortlist(request).product_ids(),
        "return_to": request.get_full_path(),
    }


def contactable_adoptions(proof):
    """The confirmed adoptions of the product page's proof that a peer can ask about: those
    with a contact of their own, or by an organisation whose live case study of the product
    names one (`peer_contact_address`). The same for everyone, from the rows the proof
    already holds."""
    with_study_contact = {
        study.organisation_id for study in proof.case_studies if study.contact_email
    }
    return {
        adoption.pk
        for adoption in proof.confirmed_adoptions
        if adoption.contact_email or adoption.organisation_id in with_study_contact
    }


def _add_posted(request, add, page):
    """Add the live product a button names with `add` (it answers whether it did, and what
    to say), then go back where the button was, or to `page`."""
    product = _posted_product(request)
    if product is not None:
        added, message = add(product)
        (messages.success if added else messages.warning)(request, message)
    return redirect(_next_url(request, reverse(page)))


def _remove_posted(request, remove, message, page):
    """Remove the product id a button names (anything else changes nothing), then go back."""
    raw = (request.POST.get("product") or "").strip()
    if raw.isdigit():
        remove(int(raw))
        messages.success(request, message)
    return redirect(_next_url(request, reverse(page)))


# --- Compare ------------------------------------------------------------------------------


@require_GET
def compare_page(request):
    shared = "products" in request.GET
    if shared:
        products, notices = compare.from_address(request.GET.get("products"))
    else:
        products, notices = compare.from_session(request.session)
    comparison = compare.Comparison(products)
    only_differences = request.GET.get("show") == "differences"
    sections = comparison.only_differences() if only_differences else comparison.sections
    share_query = compare.share_query(products)
    base = reverse("compare")
    share_href = f"{base}?products={quote(share_query, safe=',')}" if products else ""
    toggle_items = {"products": share_query} if products else {}
    if not only_differences:
        toggle_items["show"] = "differences"
    return render(
        request,
        "buyers/compare.html",
        {
            "comparison": comparison,
            "sections": sections,
            "products": products,
            "notices": notices,
            "shared": shared,
            "only_differences": only_differences,
            "share_href": share_href,
            "share_url": request.build_absolute_uri(share_href) if share_href else "",
            "toggle_href": f"{base}?{urlencode(toggle_items)}" if toggle_items else base,
            "max_products": compare.MAX_PRODUCTS,
            "shortlisted_ids": set(Shortlist(request).product_ids()),
            "column_count": len(products) + 1,
        },
    )


@require_POST
def compare_add(request):
    return _add_posted(request, lambda product: compare.add(request.session, product), "compare")


@require_POST
def compare_remove(request):
    return _remove_posted(
        request,
        lambda pk: compare.remove(request.session, pk),
        "Product removed from your comparison.",
        "compare",
    )


@require_POST
def compare_clear(request):
    compare.clear(request.session)
    messages.success(request, "Your comparison is empty.")
    return redirect(reverse("compare"))


# --- Shortlist ----------------------------------------------------------------------------


@require_GET
def shortlist_page(request):
    from proof.loading import attach_standings

    shortlist = Shortlist(request)
    rows, notices = shortlist.entries()
    attach_standings(product for product, _, _ in rows)
    entries = [
        {
            "product": product,
            "found_by": found_by,
            "found_by_description": describe_found_by(found_by) if found_by else "",
        }
        for product, found_by, _ in rows
    ]
    frozen = []
    if request.user.is_authenticated:
        frozen = FrozenShortlist.objects.filter(created_by=request.user)[:20]
    return render(
        request,
        "buyers/shortlist.html",
        {
            "entries": entries,
            "notices": notices,
            "frozen_records": frozen,
            "max_items": SHORTLIST_MAX_ITEMS,
            "compare_ids": compare.session_ids(request.session),
            "default_title": f"Shortlist {timezone.localdate():%-d %B %Y}",
        },
    )


@require_POST
def shortlist_add(request):
    found_by = found_by_from(_next_url(request, ""))
    return _add_posted(
        request, lambda product: Shortlist(request).add(product, found_by=found_by), "shortlist"
    )


@require_POST
def shortlist_remove(request):
    return _remove_posted(
        request, Shortlist(request).remove, "Product removed from your shortlist.", "shortlist"
    )


@require_POST
def shortlist_clear(request):
    Shortlist(request).clear()
    messages.success(request, "Your shortlist is empty.")
    return redirect(reverse("shortlist"))


@require_GET
def shortlist_csv(request):
    entries, _ = Shortlist(request).entries()
    base_url = request.build_absolute_uri("/")
    rows = [snapshot(product, base_url, found_by, added) for product, found_by, added in entries]
    response = HttpResponse(csv_text(rows), content_type="text/csv; charset=utf-8")
    filename = f"shortlist-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def shortlist_freeze(request):
    shortlist = Shortlist(request)
    if not len(shortlist):
        messages.warning(request, "Add products to your shortlist before you save a record.")
        return redirect(reverse("shortlist"))
    title = " ".join((request.POST.get("title") or "").split())[:200]
    title = title or f"Shortlist {timezone.localdate():%-d %B %Y}"
    record = shortlist.freeze(title, request.build_absolute_uri("/"))
    messages.success(
        request,
        "Record saved. Its address will always show the shortlist exactly as it is now.",
    )
    return redirect(reverse("frozen-shortlist", args=[record.pk]))


@require_GET
def frozen_shortlist(request, record_id):
    record = get_object_or_404(FrozenShortlist, pk=record_id)
    return render(
        request,
        "buyers/frozen_shortlist.html",
        {"record": record, "record_url": request.build_absolute_uri()},
    )


# --- Adoption claims ---------------------------------------------------------------------


@login_required
def claim_adoption(request, product_id):
    product = get_object_or_404(ProductPage.objects.live().public(), pk=product_id)
    organisations = membership.verified_organisations(request.user)
    if not organisations.exists():
        return render(
            request,
            "buyers/claim_not_member.html",
            {"product": product},
            status=403,
        )
    form = AdoptionClaimForm(request.POST or None, organisations=organisations, product=product)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                claim = AdoptionClaim.objects.create(
                    product=product,
                    organisation=form.cleaned_data["organisation"],
                    claimed_by=request.user,
                    contact_email=request.user.email,
                    since=form.cleaned_data["since"],
                    scale=form.cleaned_data["scale"],
                )
        except IntegrityError:  # the same claim sent twice at once
            form.add_error(
                "organisation",
                f"{form.cleaned_data['organisation'].name} has already said it uses this "
                "product. The scaling team will check it soon.",
            )
        else:
            return render(request, "buyers/claim_done.html", {"product": product, "claim": claim})
    return render(request, "buyers/claim_form.html", {"product": product, "form": form})


# --- Peer contact ------------------------------------------------------------------------


def peer_contact_address(adoption):
    """Where a peer's question about this adoption goes: the adoption's own contact, else
    the contact of a live case study by that organisation about the product."""
    if adoption.contact_email:
        return adoption.contact_email
    study = (
        CaseStudyPage.objects.live()
        .public()
        .filter(organisation=adoption.organisation, product_links__product=adoption.product)
        .exclude(contact_email="")
        .order_by("-published_on")
        .first()
    )
    return study.contact_email if study else ""


def messages_sent_today(user):
    since = timezone.now() - datetime.timedelta(days=1)
    return PeerMessage.objects.filter(sender=user, sent_at__gte=since).count()


@login_required
def contact_adopter(request, adoption_id):
    adoption = get_object_or_404(
        Adoption.objects.select_related("organisation", "product"),
        pk=adoption_id,
        confirmed=True,
        product__live=True,
    )
    product = adoption.product
    address = peer_contact_address(adoption)
    context = {"adoption": adoption, "product": product, "limit": PEER_MESSAGES_PER_DAY}
    if not address:
        return render(request, "buyers/contact_unavailable.html", context, status=404)
    if not request.user.email:
        return render(request, "buyers/contact_needs_email.html", context, status=403)
    form = PeerMessageForm(request.POST or None)
    limited = messages_sent_today(request.user) >= PEER_MESSAGES_PER_DAY
    if request.method == "POST" and not limited and form.is_valid():
        with transaction.atomic():
            # One sender's messages are counted and written one at a time, so two tabs
            # cannot both pass the limit.
            get_user_model().objects.select_for_update().filter(pk=request.user.pk).first()
            if messages_sent_today(request.user) >= PEER_MESSAGES_PER_DAY:
                limited = True
            else:
                message = PeerMessage.objects.create(
                    sender=request.user, adoption=adoption, body=form.cleaned_data["message"]
                )
                _relay(request, adoption, address, message)
        if not limited:
            return render(request, "buyers/contact_done.html", context)
    context.update(form=form, limited=limited)
    return render(request, "buyers/contact_form.html", context, status=429 if limited else 200)


def _relay(request, adoption, address, message):
    from django.template.loader import render_to_string

    sender = request.user
    name = one_line(sender.get_full_name()) or sender.email  # a name goes into a header
    body = render_to_string(
        "buyers/email/peer_message.txt",
        {
            "adoption": adoption,
            "product": adoption.product,
            "sender_name": name,
            "sender_email": sender.email,
            "sender_organisation": membership.verified_organisation_of(sender),
            "nhs_staff": membership.is_nhs_staff(sender),
            "message": message.body,
            "product_url": request.build_absolute_uri(adoption.product.url),
        },
    )
    EmailMessage(
        subject=f"A question about {adoption.product.title} from {name}",
        body=body,
        to=[address],
        reply_to=[sender.email],
    ).send()


# --- Buyer registration ----------------------------------------------------------------------


@rate_limited("registration", account=posted_email)
def register_buyer(request):
    """A buyer's account. An ODS code makes a pending claim to that organisation, which
    grants nothing until the scaling team confirms it (accounts.models)."""
    form = BuyerRegistrationForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                first, _, last = data["full_name"].strip().partition(" ")
                user = get_user_model().objects.create_user(
                    username=data["email"],
                    email=data["email"],
                    password=data["password"],
                    first_name=first,
                    last_name=last,
                    is_active=False,
                )
                Membership.objects.create(user=user, organisation=data["ods_code"])
        except IntegrityError:  # the same address registered a moment ago
            form.add_error("email", "An account with this email address already exists: sign in.")
        else:
            send_verification(request, user)
            return render(request, "accounts/check_email.html", {"email": data["email"]})
    return render(request, "buyers/register_buyer.html", {"form": form})
