from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import admin_urls
from .admin_views import REVIEW_PERMISSION, queue_summary
from .models import Framework, Standard


class StandardViewSet(SnippetViewSet):
    model = Standard
    icon = "tick-inverse"
    menu_label = "Standards"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["code", "name", "category", "issuing_body", "expires", "is_active"]
    list_filter = ["category", "expires", "is_active"]
    search_fields = ["code", "name"]


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    icon = "list-ul"
    menu_label = "Assessment frameworks"
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "version", "is_current", "published_on"]


register_snippet(StandardViewSet)
register_snippet(FrameworkViewSet)


@hooks.register("register_admin_urls")
def register_assessment_urls():
    return [path("assessments/", include(admin_urls, namespace="assessments_admin"))]


class ReviewMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("assessments.review_submission")


@hooks.register("register_admin_menu_item")
def register_assessment_menu_item():
    return ReviewMenuItem(
        "Assessment queue", reverse("assessments_admin:queue"), icon_name="tasks", order=200
    )


class AssessorQueuePanel(Component):
    """The assessor's own queue at the top of the admin home: assigned to them, waiting for
    someone to pick up, and over the target time."""

    name = "assessor_queue"
    order = -1
    template_name = "assessments/admin/home_panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return queue_summary(self.user)


@hooks.register("construct_homepage_panels")
def add_assessor_queue_panel(request, panels):
    if request.user.has_perm(REVIEW_PERMISSION):
        panels.insert(0, AssessorQueuePanel(request.user))
