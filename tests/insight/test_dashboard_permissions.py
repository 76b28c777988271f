"""Only the scaling team (Editors, Assessors, superusers) sees the insight dashboard; every
other admin user's home is unchanged, and every panel, CSV and refresh refuses them."""

import pytest
from django.contrib.auth.models import Group, Permission

from insight.panels import PANELS
from insight.snapshots import latest

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

PANEL_SECTIONS = dict.fromkeys(PANELS)


def admin_user(*groups):
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    return user


def every_address():
    addresses = ["/admin/insight/"]
    for panel in PANELS:
        addresses.append(f"/admin/insight/{panel}/")
        for section in latest(panel).data.get("sections") or [{"key": "ready"}]:
            addresses.append(f"/admin/insight/{panel}/{section['key']}.csv")
    return addresses


@pytest.mark.parametrize("group", ["Editors", "Assessors"])
def test_the_scaling_team_sees_every_panel_csv_and_the_home_panels(client, group):
    client.force_login(admin_user(group))
    for address in every_address():
        response = client.get(address)
        assert response.status_code == 200, address
    home = client.get("/admin/").content.decode()
    for title, _ in PANELS.values():
        assert f">{title}</h2>" in home
    assert client.post("/admin/insight/spread/refresh/").status_code == 302


def refused(response):
    """Wagtail's admin answers a PermissionDenied by sending the user to the admin home with
    a "you do not have permission" message."""
    return response.status_code == 302 and response.url == "/admin/"


def test_other_admin_users_are_refused_and_their_home_is_unchanged(client):
    client.force_login(admin_user())
    for address in every_address():
        assert refused(client.get(address)), address
    assert refused(client.post("/admin/insight/spread/refresh/"))
    home = client.get("/admin/").content.decode()
    assert "insight-spread-heading" not in home
    assert "Ready to spread" not in home


def test_visitors_are_sent_to_sign_in(client):
    for address in every_address():
        response = client.get(address)
        assert response.status_code == 302 and "/login/" in response.url, address


def test_a_csv_holds_the_table_and_defuses_formulas(client):
    from search.models import SearchQueryLog

    SearchQueryLog.objects.create(
        query="=cmd()", result_count=0, latency_ms=3, engine="database", channel="page"
    )
    client.force_login(admin_user("Editors"))
    body = client.get("/admin/insight/unmet-demand/groups.csv").content.decode()
    header, first = body.splitlines()[:2]
    assert header == "Words (most common form),Searches,Found nothing,Forms seen"
    assert first.startswith("'=cmd()")


def test_unknown_panel_or_section_is_not_found(client):
    client.force_login(admin_user("Editors"))
    assert client.get("/admin/insight/nothing/").status_code == 404
    assert client.get("/admin/insight/spread/nothing.csv").status_code == 404
