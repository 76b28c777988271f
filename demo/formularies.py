"""Demo local formularies: some integrated care boards and trusts publish a list of the
products their region already uses, with a note on each, so the formulary pages and the
insight dashboard's formulary counts have something to show. Deterministic for a seed.

A formulary is public only while its organisation has a confirmed member
(formularies.models.FormularyQuerySet.public), so each publisher gets one: a demo
"formulary lead" who cannot sign in (no usable password)."""

import random

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from accounts.models import Membership, confirmed_memberships
from formularies.models import Formulary, FormularyEntry
from registry.models import Adoption, Organisation

from .plan import organisation_domain

NOTES = [
    "Approved for use across the system. Speak to the digital team before ordering.",
    "Approved for outpatient services; the contract is held by the ICB.",
    "Approved for community teams. Training is arranged through the supplier.",
    "Approved after a local pilot; see the case study for the figures.",
    "Approved for primary care. Practices may order it directly.",
    "",
]


def seed_formularies(seed, products):
    """Publish formularies for a few ICBs and trusts that have none yet; returns how many."""
    rng = random.Random(f"formularies-{seed}")
    wanted = max(3, min(40, products // 100))
    publishers = list(
        Organisation.objects.filter(kind__in=["icb", "nhs_trust"], formulary__isnull=True)
        .exclude(region="")
        .order_by("pk")
    )
    rng.shuffle(publishers)
    made = 0
    for organisation in publishers[:wanted]:
        in_region = list(
            Adoption.objects.filter(
                confirmed=True, organisation__region=organisation.region, product__live=True
            )
            .values("product")
            .annotate(adopters=Count("organisation"))
            .order_by("-adopters", "product")
            .values_list("product", flat=True)[:30]
        )
        if not in_region:
            continue
        chosen = rng.sample(in_region, min(len(in_region), rng.randint(4, 12)))
        confirm_a_formulary_lead(organisation)
        formulary = Formulary.objects.create(
            organisation=organisation,
            published=True,
            introduction=f"Digital products approved for use by {organisation.name}.",
        )
        FormularyEntry.objects.bulk_create(
            FormularyEntry(formulary=formulary, product_id=product, note=rng.choice(NOTES))
            for product in chosen
        )
        made += 1
    return made


def confirm_a_formulary_lead(organisation):
    """A confirmed member who answers for the organisation's formulary, unless it has one."""
    if confirmed_memberships().filter(organisation=organisation).exists():
        return
    domain = organisation_domain(organisation.name, organisation.kind)
    email = f"formulary.lead.{organisation.pk}@{domain}"
    user = get_user_model().objects.create_user(
        username=email, email=email, password=None, first_name="Formulary lead"
    )
    now = timezone.now()
    Membership.objects.create(
        user=user, organisation=organisation, email_verified_at=now, organisation_verified_at=now
    )
