"""The accounts and abuse pages in a real browser, checked by axe-core against WCAG 2.2 AA:
the page for people not yet confirmed, requests to join on the invite page, the lockout
page, two-factor set-up, codes and recovery codes, the bad-input page, and the scaling
team's list of members to confirm."""

import re

import pytest
from django.contrib.auth.models import Group, User
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..accounts.factories import PASSWORD
from ..assessments.factories import AssessorFactory, InnovatorFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, username, password=PASSWORD, path="/account/sign-in/"):
    page.goto(path)
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]" if path.startswith("/account") else "button[type=submit]")


def test_not_confirmed_yet(browser_page, assert_accessible):
    claimant = InnovatorFactory(confirmed=False)
    sign_in(browser_page, claimant.username)
    browser_page.goto("/submissions/")
    assert "You cannot submit products yet" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_requests_to_join_on_the_invite_page(browser_page, assert_accessible):
    owner = InnovatorFactory()
    InnovatorFactory(organisation=owner.membership.organisation, confirmed=False)
    sign_in(browser_page, owner.username)
    browser_page.goto("/account/invite/")
    assert "People asking to join" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_too_many_sign_in_attempts(browser_page, assert_accessible):
    ada = InnovatorFactory()
    for _ in range(6):
        sign_in(browser_page, ada.username, "not-the-password")
    assert "Too many attempts to sign in" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_two_factor_set_up_codes_and_verify(browser_page, assert_accessible, settings):
    settings.ADMIN_2FA_REQUIRED = True
    assessor = AssessorFactory()
    sign_in(browser_page, assessor.username, path="/admin/login/")
    browser_page.goto("/admin/")
    assert "Set up an authenticator app" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    browser_page.fill("#id_code", "000000")
    browser_page.click("main button[type=submit]")
    assert "There is a problem" in browser_page.inner_text("main")
    assert_accessible(browser_page)
    device = TOTPDevice.objects.get(user=assessor)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    device.throttle_reset()
    browser_page.fill("#id_code", f"{code:06d}")
    browser_page.click("main button[type=submit]")
    text = browser_page.inner_text("main")
    assert "Save your recovery codes" in text
    assert len(re.findall(r"^\w{6,}$", text, re.MULTILINE)) >= 10
    assert_accessible(browser_page)
    browser_page.context.clear_cookies()
    sign_in(browser_page, assessor.username, path="/admin/login/")
    browser_page.goto("/admin/")
    assert "Enter your security code" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_bad_input_page(browser_page, assert_accessible):
    response = browser_page.goto("/compare/?products=%00")
    assert response.status == 400
    assert "There is a problem with what was sent" in browser_page.inner_text("main")
    assert_accessible(browser_page)


def test_members_to_confirm_in_the_admin(browser_page, assert_accessible):
    InnovatorFactory(confirmed=False, email="claimant@example.com")
    editor = User.objects.create_user("editor", "editor@nhs.net", PASSWORD, is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    sign_in(browser_page, "editor", path="/admin/login/")
    browser_page.goto("/admin/memberships/")
    assert "claimant@example.com" in browser_page.inner_text("main")
    assert_accessible(browser_page)
