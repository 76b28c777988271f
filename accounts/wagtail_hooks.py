from django.urls import include, path
from wagtail import hooks

from . import admin_urls
from .admin_menu import guarded_menu_item
from .admin_views import DECIDE_PERMISSION
from .membership_decisions import CONFIRM_ACTION, DECLINE_ACTION


@hooks.register("register_admin_urls")
def register_membership_urls():
    return [path("memberships/", include(admin_urls, namespace="accounts_admin"))]


hooks.register(
    "register_admin_menu_item",
    guarded_menu_item(
        "Members to confirm",
        "accounts_admin:pending",
        DECIDE_PERMISSION,
        icon_name="user",
        order=215,
    ),
)


@hooks.register("register_log_actions")
def register_membership_log_actions(actions):
    actions.register_action(CONFIRM_ACTION, "Confirm membership", "Membership confirmed")
    actions.register_action(DECLINE_ACTION, "Decline membership", "Membership declined")
