from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import Standard


class StandardViewSet(SnippetViewSet):
    model = Standard
    icon = "tick-inverse"
    menu_label = "Standards"
    menu_order = 210
    add_to_admin_menu = True
    list_display = ["code", "name", "category", "issuing_body", "expires", "is_active"]
    list_filter = ["category", "expires", "is_active"]
    search_fields = ["code", "name"]


register_snippet(StandardViewSet)
