"""What buyers keep: shortlists and their frozen records, adoption claims, peer messages,
saved searches and the alerts sent for them.

These models moved here from registry/ and search/ with their tables: each keeps its old
`db_table` (and its constraint and index names), so the move changed no table. How the tools
work together is in docs/buyer-tools.md.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.fields import person_who_acted
from registry.choices import AdoptionScale
from registry.models import Adoption, Organisation, ProductPage


class ShortlistItem(models.Model):
    """A product on a signed-in buyer's shortlist (visitors' shortlists live in the session)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist_items"
    )
    product = models.ForeignKey(ProductPage, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)
    found_by = models.CharField(
        max_length=2000, blank=True, help_text="The search (its query string) it was added from."
    )

    class Meta:
        db_table = "registry_shortlistitem"
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "product"], name="one_shortlist_row_per_product"
            )
        ]

    def __str__(self):
        return f"{self.product} on {self.user}'s shortlist"


class FrozenShortlist(models.Model):
    """A shortlist as it stood at one moment, kept unchanged for audit.

    `products` holds what each product showed then (a JSON snapshot, not a link to the live
    page), and `searches` the searches and filters that produced the shortlist, so a
    procurement decision can be checked later even after the catalogue has changed.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = person_who_acted("frozen_shortlists", blank=True)
    products = models.JSONField(default=list)
    searches = models.JSONField(default=list)

    class Meta:
        db_table = "registry_frozenshortlist"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.title} ({self.created_at:%d %B %Y})"


class AdoptionClaim(models.Model):
    """ "We use this product", from a verified member of the organisation, awaiting the
    scaling team. Verifying it makes (or confirms) the organisation's Adoption."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending verification"
        VERIFIED = "verified", "Verified"
        REJECTED = "rejected", "Rejected"

    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="adoption_claims"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="adoption_claims"
    )
    claimed_by = person_who_acted("adoption_claims")
    contact_email = models.EmailField(
        help_text="The claimant's address: peers' questions are relayed to it once verified."
    )
    since = models.DateField(null=True, blank=True)
    scale = models.CharField(max_length=16, choices=AdoptionScale.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = person_who_acted(blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        db_table = "registry_adoptionclaim"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "organisation"],
                condition=Q(status="pending"),
                name="one_pending_claim_per_organisation",
            )
        ]

    def __str__(self):
        return f"{self.organisation.name} uses {self.product.title}"

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    def verify(self, user, note=""):
        """Make the organisation a confirmed adopter of the product. Saving the Adoption
        queues the product for the search index (search.signals), so search facets, the
        product page and comparisons all count it."""
        from django.db import transaction

        with transaction.atomic():
            adoption = Adoption.objects.filter(
                product=self.product, organisation=self.organisation
            ).first() or Adoption(product=self.product, organisation=self.organisation)
            adoption.confirmed = True
            adoption.scale = self.scale
            adoption.since = self.since or adoption.since
            adoption.contact_email = adoption.contact_email or self.contact_email
            adoption.save()
            self._decide(self.Status.VERIFIED, user, note)
        return adoption

    def reject(self, user, note=""):
        self._decide(self.Status.REJECTED, user, note)

    def _decide(self, status, user, note):
        self.status = status
        self.decided_at = timezone.now()
        self.decided_by = user
        self.decision_note = note or self.decision_note
        self.save()


class PeerMessage(models.Model):
    """A buyer's question relayed to an adopter. Kept to enforce the daily limit and so the
    scaling team can deal with abuse; the adopter's address is never shown to the buyer."""

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="peer_messages"
    )
    adoption = models.ForeignKey(
        Adoption, on_delete=models.SET_NULL, null=True, related_name="peer_messages"
    )
    body = models.TextField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "registry_peermessage"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["sender", "sent_at"], name="peer_message_sender_time")]

    def __str__(self):
        return f"Message from {self.sender} ({self.sent_at:%d %B %Y %H:%M})"


# --- Saved searches and alerts (buyers/alerts.py) -------------------------------------------


class SavedSearch(models.Model):
    """A search a signed-in buyer asked to hear about: a daily digest lists products that
    newly match it (`manage.py send_alerts`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches"
    )
    name = models.CharField(max_length=200)
    query_string = models.CharField(
        max_length=2000,
        help_text="The search, as the search page's address reads it (words and filters).",
    )
    created_at = models.DateTimeField(default=timezone.now)
    checked_until = models.DateTimeField(
        default=timezone.now,
        help_text="Products first published before this were considered by the last digest.",
    )
    last_sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "registry_search_savedsearch"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "query_string"], name="one_saved_search_per_query"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self):
        return self.unsubscribed_at is None


class AlertDelivery(models.Model):
    """A product listed in a digest for a saved search. One row per pair, ever: this is
    what makes send_alerts safe to run twice."""

    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.CASCADE, related_name="deliveries"
    )
    product = models.ForeignKey(ProductPage, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "registry_search_alertdelivery"
        constraints = [
            models.UniqueConstraint(
                fields=["saved_search", "product"], name="one_alert_per_search_and_product"
            )
        ]

    def __str__(self):
        return f"{self.product_id} for saved search {self.saved_search_id}"
