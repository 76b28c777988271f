from django.urls import include, path, reverse
from wagtail import hooks

from . import admin_urls
from .admin_menu import PermissionMenuItem
from .admin_views import DECIDE_PERMISSION
from .membership_decisions import CONFIRM_ACTION, DECLINE_ACTION


@hooks.register("register_admin_urls")
def register_membership_urls():
    return [path("memberships/", include(admin_urls, namespace="accounts_admin"))]


@hooks.register("register_admin_menu_item")
def register_pending_memberships_menu_item():
    return PermissionMenuItem(
        "Members to confirm",
        reverse("accounts_admin:pending"),
        icon_name="user",
        order=215,
        permission=DECIDE_PERMISSION,
    )


@hooks.register("register_log_actions")
def register_membership_log_actions(actions):
    actions.register_action(CONFIRM_ACTION, "Confirm membership", "Membership confirmed")
    actions.register_action(DECLINE_ACTION, "Decline membership", "Membership declined")
