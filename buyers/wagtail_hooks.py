"""The scaling team's side of the buyer tools: deciding adoption claims and confirming who
works where."""

from django.core.exceptions import PermissionDenied
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet, SnippetViewSetGroup

from accounts.models import Membership

from .models import AdoptionClaim


class NoCreateView(CreateView):
    """Claims come from adopters on the public site, never from the admin."""

    def dispatch(self, request, *args, **kwargs):
        raise PermissionDenied


class AdoptionClaimForm(WagtailAdminModelForm):
    """The scaling team decides a pending claim by choosing Verified or Rejected. Verifying
    makes the Adoption (AdoptionClaim.verify); a decided claim cannot be decided again."""

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.decided_by = for_user
        if self.instance.pk and not self.instance.is_pending and "status" in self.fields:
            self.fields["status"].disabled = True

    def save(self, commit=True):
        claim = self.instance
        previous = AdoptionClaim.objects.filter(pk=claim.pk).values_list("status", flat=True)
        was_pending = (previous.first() if claim.pk else AdoptionClaim.Status.PENDING) == (
            AdoptionClaim.Status.PENDING
        )
        if was_pending and claim.status == AdoptionClaim.Status.VERIFIED:
            claim.verify(self.decided_by, claim.decision_note)
            return claim
        if was_pending and claim.status == AdoptionClaim.Status.REJECTED:
            claim.reject(self.decided_by, claim.decision_note)
            return claim
        return super().save(commit=commit)


class AdoptionClaimViewSet(SnippetViewSet):
    model = AdoptionClaim
    # The admin addresses editors have bookmarked stayed as they were when claims were
    # registry's.
    url_prefix = "snippets/registry/adoptionclaim"
    icon = "tick-inverse"
    menu_label = "Adoption claims"
    list_display = ["__str__", "status", "claimed_by", "created_at"]
    list_filter = ["status"]
    ordering = ["-created_at"]

    add_view_class = NoCreateView
    edit_handler = ObjectList(
        [
            FieldPanel("product", read_only=True),
            FieldPanel("organisation", read_only=True),
            FieldPanel("claimed_by", read_only=True),
            FieldPanel("contact_email", read_only=True),
            FieldRowPanel(
                [FieldPanel("since", read_only=True), FieldPanel("scale", read_only=True)]
            ),
            FieldPanel("created_at", read_only=True),
            FieldPanel(
                "status",
                help_text="Verified makes the organisation a confirmed adopter everywhere. "
                "Check with the organisation first.",
            ),
            FieldPanel("decision_note"),
        ],
        base_form_class=AdoptionClaimForm,
    )


class OrganisationMemberViewSet(SnippetViewSet):
    """People and the organisation they act for; the scaling team confirms who works there."""

    model = Membership
    icon = "user"
    menu_label = "Organisation members"
    list_display = ["user", "organisation", "email_verified_at", "organisation_verified_at"]
    list_filter = ["organisation_verified_at"]
    panels = [
        FieldPanel("user"),
        FieldPanel("organisation"),
        FieldPanel("email_verified_at", read_only=True),
        FieldPanel("organisation_verified_at"),
    ]


class BuyersViewSetGroup(SnippetViewSetGroup):
    menu_label = "Buyers"
    menu_icon = "tick-inverse"
    menu_order = 210
    items = (AdoptionClaimViewSet, OrganisationMemberViewSet)


register_snippet(BuyersViewSetGroup)
