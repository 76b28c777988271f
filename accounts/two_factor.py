"""Two-factor authentication for everyone with admin access (editors, assessors, the
scaling team), with django-otp: a time-based code from an authenticator app (TOTP), and
ten single-use recovery codes for when the phone is lost.

`ADMIN_2FA_REQUIRED` switches enforcement on (production's default; off in development and
tests unless a test turns it on). When on, `RequireTwoFactorMiddleware` sends a signed-in
person with admin access to `/account/two-factor/` before any admin page, and the scaling
team's evidence downloads ask the same: first to set up an app, then, at each sign-in, for
a code. People without admin access (innovators, buyers) are never asked.
"""

from base64 import b32encode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
ADMIN_PATH_PREFIXES = ("/admin/", "/django-admin/")
# Signing in and out of the admin never needs a code.
EXEMPT_PATHS = ("/admin/login/", "/admin/logout/", "/django-admin/login/", "/django-admin/logout/")


def has_admin_access(user):
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.is_staff or user.has_perm("wagtailadmin.access_admin"))
    )


def needs_second_factor(user):
    """True when enforcement is on and this person, who has admin access, has not yet
    given a code in this session."""
    return (
        settings.ADMIN_2FA_REQUIRED
        and has_admin_access(user)
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


def two_factor_redirect(request):
    return redirect(
        f"{reverse('accounts:two_factor')}?{urlencode({'next': request.get_full_path()})}"
    )


class RequireTwoFactorMiddleware:
    """After django_otp's OTPMiddleware: admin pages need a verified second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if (
            path.startswith(ADMIN_PATH_PREFIXES)
            and not path.startswith(EXEMPT_PATHS)
            and needs_second_factor(request.user)
        ):
            return two_factor_redirect(request)
        return self.get_response(request)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Security code",
        max_length=16,
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _next_url(request):
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def _unconfirmed_totp(user):
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def _new_recovery_codes(user):
    with transaction.atomic():
        device, _ = StaticDevice.objects.get_or_create(
            user=user, name="Recovery codes", defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@login_required
def two_factor(request):
    """Set up an authenticator app (first time) or give a code (each sign-in)."""
    if user_has_device(request.user):
        return _verify(request)
    return _set_up(request)


def _verify(request):
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    f"You used a recovery code. You have {left} left: set up new ones if you "
                    "are running out.",
                )
            return redirect(_next_url(request))
        form.add_error("code", "The code is not right or has expired. Enter the latest code.")
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
    )


def _grouped_secret(device):
    """The key for typing into an app by hand, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def _set_up(request):
    device = _unconfirmed_totp(request.user)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = _new_recovery_codes(request.user)
            return render(
                request,
                "accounts/two_factor_recovery_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error("code", "The code is not right. Enter the code your app shows now.")
    return render(
        request,
        "accounts/two_factor_set_up.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_svg": segno.make(device.config_url, error="m").svg_inline(
                scale=5, title="QR code for your authenticator app"
            ),
            "secret": _grouped_secret(device),
        },
    )


@login_required
def recovery_codes(request):
    """New recovery codes, for someone who has just given a code in this session."""
    if not (request.user.is_verified() and user_has_device(request.user)):
        return two_factor_redirect(request)
    if request.method != "POST":
        return render(request, "accounts/two_factor_new_codes.html", {})
    codes = _new_recovery_codes(request.user)
    return render(
        request,
        "accounts/two_factor_recovery_codes.html",
        {"codes": codes, "next": reverse("wagtailadmin_home")},
    )
