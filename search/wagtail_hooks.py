"""The search terms report (Reports menu): what people search for, and what they search for
and cannot find, over the last 7, 30 or 90 days. Read from SearchQueryLog, which holds no
personal data, so every admin user may see it."""

import datetime

import django_filters
from django.db.models import Avg, Count, Max, Q
from django.db.models.functions import Round
from django.urls import include, path, reverse
from django.utils import timezone
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, UpdatedAtColumn
from wagtail.admin.views.generic.models import IndexView
from wagtail.admin.views.reports import ReportView
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .analysis import vocabulary_version
from .indexing import built_vocabulary_version
from .models import LayTerm, SearchQueryLog

PERIODS = [("7", "Last 7 days"), ("30", "Last 30 days"), ("90", "Last 90 days")]
DEFAULT_PERIOD = "30"
SHOW = [("all", "All searches"), ("none", "Searches that found nothing")]


class SearchTermsFilterSet(WagtailFilterSet):
    # Both are applied by the view, which groups the log rows by query after filtering.
    period = django_filters.ChoiceFilter(
        label="Period", choices=PERIODS, empty_label=None, method="keep"
    )
    show = django_filters.ChoiceFilter(label="Show", choices=SHOW, empty_label=None, method="keep")

    class Meta:
        model = SearchQueryLog
        fields = []

    def keep(self, queryset, name, value):
        return queryset


class SearchTermsReportView(ReportView):
    page_title = "Search terms"
    header_icon = "search"
    index_url_name = "search_reports:index"
    index_results_url_name = "search_reports:results"
    filterset_class = SearchTermsFilterSet
    paginate_by = 50
    columns = [
        Column("query", label="Words searched for"),
        Column("searches", label="Searches"),
        Column("no_results", label="Found nothing"),
        Column("average_results", label="Average results"),
        DateColumn("last_searched", label="Last searched"),
    ]
    list_export = ["query", "searches", "no_results", "average_results", "last_searched"]
    export_headings = {
        "query": "Words searched for",
        "searches": "Searches",
        "no_results": "Found nothing",
        "average_results": "Average results",
        "last_searched": "Last searched",
    }

    def get_filename(self):
        return f"search-terms-{timezone.localdate():%Y-%m-%d}"

    def choice(self, name, default):
        filters = self.filters
        if filters is not None and filters.is_valid():
            return filters.form.cleaned_data.get(name) or default
        return default

    def get_page_subtitle(self):
        labels = dict(PERIODS)
        subtitle = labels[self.choice("period", DEFAULT_PERIOD)]
        if self.choice("show", "all") == "none":
            subtitle += ", searches that found nothing"
        return subtitle

    def get_queryset(self):
        days = int(self.choice("period", DEFAULT_PERIOD))
        since = timezone.now() - datetime.timedelta(days=days)
        rows = SearchQueryLog.objects.filter(created_at__gte=since).exclude(query="")
        if self.choice("show", "all") == "none":
            rows = rows.filter(result_count=0)
        return (
            rows.values("query")
            .annotate(
                searches=Count("id"),
                no_results=Count("id", filter=Q(result_count=0)),
                average_results=Round(Avg("result_count")),
                last_searched=Max("created_at"),
            )
            .order_by("-searches", "-last_searched", "query")
        )

    def get_filtered_queryset(self):
        return self.get_queryset()


@hooks.register("register_admin_urls")
def register_search_report_urls():
    patterns = [
        path("", SearchTermsReportView.as_view(), name="index"),
        path("results/", SearchTermsReportView.as_view(results_only=True), name="results"),
    ]
    return [path("reports/search-terms/", include((patterns, "search_reports")))]


@hooks.register("register_reports_menu_item")
def register_search_report_menu_item():
    return MenuItem(
        "Search terms",
        reverse("search_reports:index"),
        name="search-terms",
        icon_name="search",
        order=650,
    )


# --- Lay terms ----------------------------------------------------------------------------


class LayTermIndexView(IndexView):
    def get_page_subtitle(self):
        return vocabulary_state()


def vocabulary_state():
    """The vocabulary's version, and whether the search index applies it yet."""
    current = vocabulary_version()
    try:
        built = built_vocabulary_version("product")
    except Exception:  # Elasticsearch not configured or down: the database applies it now
        built = None
    if built == current:
        return f"Version {current}, applied to the search index."
    return (
        f"Version {current}. The search index uses {built or 'an earlier version'}: "
        "changes apply at the next `manage.py search_index rebuild`."
    )


class LayTermViewSet(SnippetViewSet):
    model = LayTerm
    icon = "search"
    menu_label = "Lay terms"
    add_to_admin_menu = False
    list_display = ["words", "means", UpdatedAtColumn()]
    search_fields = ["words", "means"]
    index_view_class = LayTermIndexView


register_snippet(LayTermViewSet)
