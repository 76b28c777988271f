from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from .models import CareSetting, Category, Organisation


class OrganisationViewSet(SnippetViewSet):
    model = Organisation
    icon = "group"
    menu_label = "Organisations"
    list_display = ["name", "kind", "ods_code", "companies_house_number", "region"]
    list_filter = ["kind", "region"]
    search_fields = ["name", "ods_code"]


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    list_display = ["name", "slug"]


class CareSettingViewSet(SnippetViewSet):
    model = CareSetting
    icon = "home"
    list_display = ["name", "slug"]


class CatalogueViewSetGroup(SnippetViewSetGroup):
    menu_label = "Catalogue"
    menu_icon = "list-ul"
    menu_order = 200
    items = (OrganisationViewSet, CategoryViewSet, CareSettingViewSet)


register_snippet(CatalogueViewSetGroup)
