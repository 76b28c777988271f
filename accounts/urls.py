from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import two_factor, views
from .forms import ChangePasswordForm, SignInForm
from .throttling import posted_email, rate_limited
from .tokens import password_reset_token

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            form_class=ChangePasswordForm,
            success_url=reverse_lazy("accounts:password_change_done"),
            template_name="accounts/password_change.html",
        ),
        name="password_change",
    ),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path("register/", views.register, name="register"),
    path("verify/<uidb64>/<token>/", views.verify_email, name="verify"),
    path("invite/", views.invite, name="invite"),
    path("members/<int:pk>/", views.decide_membership, name="decide_membership"),
    path("invitation/<str:token>/", views.register, name="accept_invitation"),
    path(
        "sign-in/",
        rate_limited("sign_in")(auth_views.LoginView.as_view(authentication_form=SignInForm)),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("two-factor/", two_factor.two_factor, name="two_factor"),
    path(
        "two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path(
        "password-reset/",
        rate_limited("password_reset", account=posted_email)(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="emails/password_reset.txt",
                token_generator=password_reset_token,
                subject_template_name="emails/password_reset_subject.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            token_generator=password_reset_token,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
