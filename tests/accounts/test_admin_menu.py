"""The admin menu offers a page only to people whose permission its view checks: the
membership queue, the assessment queue, insight and the proof consistency report."""

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from wagtail.admin.menu import admin_menu, reports_menu

from .factories import UserFactory

pytestmark = pytest.mark.django_db

GUARDED = {
    "Members to confirm": ("accounts", "change_membership", admin_menu),
    "Assessment queue": ("assessments", "review_submission", admin_menu),
    "Insight": ("insight", "view_insight", admin_menu),
    "Proof consistency": ("proof", "view_breachrecord", reports_menu),
}


def labels_for(user, menu):
    request = RequestFactory().get("/admin/")
    request.user = user
    return {item.label for item in menu.menu_items_for_request(request)}


def admin_user(*permissions):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for app_label, codename in permissions:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def test_an_admin_user_without_the_permissions_is_offered_none_of_the_guarded_pages():
    user = admin_user()
    for label, (_, _, menu) in GUARDED.items():
        assert label not in labels_for(user, menu)


@pytest.mark.parametrize("label", GUARDED)
def test_each_guarded_page_is_offered_to_whoever_holds_its_permission(label):
    app_label, codename, menu = GUARDED[label]
    user = admin_user((app_label, codename))
    assert label in labels_for(user, menu)
    others = [other for other in GUARDED if other != label and GUARDED[other][2] is menu]
    assert not set(others) & labels_for(user, menu)
