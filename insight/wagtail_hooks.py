"""The insight dashboard is the admin home of the scaling team: users who may see it get its
panels at the top of /admin/; everyone else's admin home is unchanged."""

from django.urls import include, path
from django.utils.functional import SimpleLazyObject
from wagtail import hooks
from wagtail.admin.ui.components import Component

from accounts.admin_menu import guarded_menu_item

from . import snapshots
from .panels import PANELS
from .views import PERMISSION, _context


class InsightHomePanel(Component):
    """One insight panel on the admin home: its first table, chart and freshness."""

    template_name = "insight/home_panel.html"

    def __init__(self, panel, order):
        self.panel = panel
        self.order = order

    def get_context_data(self, parent_context=None):
        context = _context(self.panel, snapshots.latest(self.panel), fragment="home")
        every_section = context["sections"]
        context["sections"] = SimpleLazyObject(lambda: every_section[:1])
        context["on_home"] = True
        return context


@hooks.register("construct_homepage_panels")
def add_insight_panels(request, panels):
    if not request.user.has_perm(PERMISSION):
        return
    for order, panel in enumerate(PANELS):
        panels.insert(order, InsightHomePanel(panel, order=order))


@hooks.register("register_admin_urls")
def register_insight_urls():
    return [path("insight/", include("insight.urls"))]


hooks.register(
    "register_admin_menu_item",
    guarded_menu_item(
        "Insight", "insight:dashboard", PERMISSION, name="insight", icon_name="table", order=150
    ),
)
