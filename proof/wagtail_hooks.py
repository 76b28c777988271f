"""The proof rules in the admin: the publishing check of the product editor, and the scaling
team's view of the rules themselves (Settings menu, read-only, generated from proof.rules)
and the consistency report (Reports menu)."""

from django.core.exceptions import PermissionDenied
from django.urls import include, path, reverse
from django.utils import timezone
from django.views.generic import TemplateView
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, TitleColumn
from wagtail.admin.views.reports import ReportView

from accounts.admin_menu import guarded_menu_item
from registry.models import PUBLISHING_CHECKS_HOOK

from . import rules
from .loading import listing_from_form, today
from .report import report_rows

REPORT_PERMISSION = "proof.view_breachrecord"


@hooks.register(PUBLISHING_CHECKS_HOOK)
def proof_rules_before_publishing(form):
    """What the publishing rules of proof.rules find missing in the product being edited."""
    return [breach.message for breach in rules.breaches(listing_from_form(form), today())]


class ConsistencyReportView(ReportView):
    """Every live listing that breaks a proof rule today: which rule, and since when."""

    page_title = "Proof consistency"
    header_icon = "warning"
    index_url_name = "proof_report:index"
    index_results_url_name = "proof_report:results"
    paginate_by = 50
    columns = [
        TitleColumn("title", label="Product", get_url=lambda row: row.edit_url),
        Column("rule", label="Rule"),
        Column("message", label="What is missing"),
        DateColumn("since", label="Since"),
    ]
    list_export = ["title", "rule", "message", "since"]
    export_headings = {
        "title": "Product",
        "rule": "Rule",
        "message": "What is missing",
        "since": "Since",
    }

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(REPORT_PERMISSION):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_filename(self):
        return f"proof-consistency-{timezone.localdate():%Y-%m-%d}"

    def get_queryset(self):
        return report_rows()

    def get_filtered_queryset(self):
        return self.get_queryset()


class RulesView(TemplateView):
    """The rules as the code enforces them, for the scaling team to read."""

    template_name = "proof/rules.html"

    def get_context_data(self, **kwargs):
        from registry.choices import EsfTier, EvidenceType

        evidence_labels = dict(EvidenceType.choices)
        return {
            **super().get_context_data(**kwargs),
            "rules": rules.RULES,
            "dtac_sections": [
                (section, _groups(groups) or "Its own result only")
                for section, groups in rules.DTAC_SECTION_REQUIREMENTS.items()
            ],
            "esf_tiers": [
                (EsfTier(tier).label, [evidence_labels[kind] for kind in kinds])
                for tier, kinds in rules.ESF_TIER_EVIDENCE.items()
            ],
            "medical_device": _groups(rules.MEDICAL_DEVICE_REQUIREMENTS),
            "personal_data": _groups(rules.PERSONAL_DATA_REQUIREMENTS),
        }


def _groups(groups):
    """(("CE", "CE_PLUS"), ("PENTEST",)) reads "CE or CE_PLUS; PENTEST"."""
    return "; ".join(" or ".join(group) for group in groups)


@hooks.register("register_admin_urls")
def register_proof_urls():
    report = [
        path("", ConsistencyReportView.as_view(), name="index"),
        path("results/", ConsistencyReportView.as_view(results_only=True), name="results"),
    ]
    return [
        path("reports/proof-consistency/", include((report, "proof_report"))),
        path("proof-rules/", RulesView.as_view(), name="proof_rules"),
    ]


hooks.register(
    "register_reports_menu_item",
    guarded_menu_item(
        "Proof consistency",
        "proof_report:index",
        REPORT_PERMISSION,
        name="proof-consistency",
        icon_name="warning",
        order=660,
    ),
)


@hooks.register("register_settings_menu_item")
def register_rules_menu_item():
    return MenuItem(
        "Proof rules", reverse("proof_rules"), name="proof-rules", icon_name="list-ul", order=900
    )
