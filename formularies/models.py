"""Local formularies: an NHS or care organisation's own list of the products it approves,
with a note on each, published at a stable address (HTML, JSON and an embeddable page).

Its own small app, not part of `insight`: a formulary is the organisation's publication,
edited on the public site by its confirmed members, while `insight` is the scaling team's
admin view and only counts how many formularies list each product.
"""

from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import timezone

from accounts.fields import person_who_acted
from accounts.models import confirmed_memberships
from registry.choices import OrganisationKind

NOTE_MAX_LENGTH = 500


class FormularyQuerySet(models.QuerySet):
    def public(self):
        """The lists anyone may read (the page, its JSON and embed, the API, open data):
        published by an NHS or care organisation that has a confirmed member today. Only
        such a member can edit a list, so one nobody can answer for any more (its last
        member left, or the organisation became a supplier) is withdrawn until someone is
        confirmed again."""
        return (
            self.filter(published=True)
            .exclude(organisation__kind=OrganisationKind.SUPPLIER)
            .filter(
                Exists(confirmed_memberships().filter(organisation_id=OuterRef("organisation_id")))
            )
        )


class Formulary(models.Model):
    organisation = models.OneToOneField(
        "registry.Organisation", on_delete=models.CASCADE, related_name="formulary"
    )
    introduction = models.TextField(
        blank=True, max_length=1000, help_text="Who the list is for and how to use it."
    )
    published = models.BooleanField(
        default=False, help_text="Published lists are public, as a page, JSON and an embed."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = FormularyQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "formularies"

    def __str__(self):
        return f"{self.organisation.name}'s formulary"


class FormularyEntry(models.Model):
    formulary = models.ForeignKey(Formulary, on_delete=models.CASCADE, related_name="entries")
    product = models.ForeignKey(
        "registry.ProductPage", on_delete=models.CASCADE, related_name="formulary_entries"
    )
    note = models.TextField(max_length=NOTE_MAX_LENGTH, blank=True)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = person_who_acted()

    class Meta:
        verbose_name_plural = "formulary entries"
        constraints = [
            models.UniqueConstraint(fields=["formulary", "product"], name="one_entry_per_product")
        ]

    def __str__(self):
        return f"{self.product_id} on {self.formulary}"
