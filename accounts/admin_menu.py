"""Admin menu items shown only to people who hold a permission, so a menu never offers a
page its view would refuse.

An app registers one with a single call in its wagtail_hooks.py:

    hooks.register("register_admin_menu_item", guarded_menu_item(
        "Insight", "insight:dashboard", PERMISSION, icon_name="table", order=150))
"""

from django.urls import reverse
from wagtail.admin.menu import MenuItem


class PermissionMenuItem(MenuItem):
    def __init__(self, label, url, *, permission, **kwargs):
        super().__init__(label, url, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


def guarded_menu_item(label, url_name, permission, **kwargs):
    """A menu hook's function: the item linking to `url_name`, shown to holders of
    `permission`. The address is reversed when Wagtail builds its menus, after the URLs."""

    def menu_item():
        return PermissionMenuItem(label, reverse(url_name), permission=permission, **kwargs)

    return menu_item
