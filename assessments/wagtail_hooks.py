from django.contrib import messages
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpResponseRedirect
from django.urls import include, path
from wagtail import hooks
from wagtail.admin.ui.components import Component
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import DeleteView, SnippetViewSet

from accounts.admin_menu import guarded_menu_item

from . import admin_urls
from .admin_views import REVIEW_PERMISSION, queue_summary
from .models import Framework, Standard


class DeleteUnlessInUseView(DeleteView):
    """Wagtail's delete, refused with a message when rows still rest on the object (a
    standard that products' compliance cites, a framework submissions were made against)
    instead of failing with a server error."""

    retire_hint = ""

    def form_valid(self, form):
        try:
            with transaction.atomic():
                return super().form_valid(form)
        except ProtectedError as exc:
            count = len(exc.protected_objects)
            messages.error(
                self.request,
                f"{self.object} cannot be deleted: {count} record{'s' if count != 1 else ''} "
                f"still refer{'s' if count == 1 else ''} to it, so it has been kept."
                f"{self.retire_hint}",
            )
            return HttpResponseRedirect(self.get_success_url())


class StandardDeleteView(DeleteUnlessInUseView):
    retire_hint = " To retire it, untick 'Is active' instead."


class StandardViewSet(SnippetViewSet):
    model = Standard
    delete_view_class = StandardDeleteView
    icon = "tick-inverse"
    menu_label = "Standards"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["code", "name", "category", "issuing_body", "expires", "is_active"]
    list_filter = ["category", "expires", "is_active"]
    search_fields = ["code", "name"]


class FrameworkViewSet(SnippetViewSet):
    model = Framework
    delete_view_class = DeleteUnlessInUseView
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


hooks.register(
    "register_admin_menu_item",
    guarded_menu_item(
        "Assessment queue",
        "assessments_admin:queue",
        "assessments.review_submission",
        icon_name="tasks",
        order=200,
    ),
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
