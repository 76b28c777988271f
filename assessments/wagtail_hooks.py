from django.urls import include, path
from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from accounts.admin_menu import guarded_menu_item

from . import admin_urls
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
