"""API keys in the Wagtail admin (Settings > API keys): issue one, see when each was last
used, revoke one. The key is shown once, in the message after it is made; only its hash
is kept."""

from django import forms
from django.contrib import messages
from django.utils import timezone
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import CreateView, SnippetViewSet

from .models import ApiKey


class ApiKeyForm(WagtailAdminModelForm):
    revoke = forms.BooleanField(
        required=False,
        label="Revoke this key",
        help_text="Calls with it are refused at once. A revoked key cannot be brought back: "
        "issue a new one instead.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk or not self.instance.is_active:
            self.fields.pop("revoke")

    def save(self, commit=True):
        key = self.instance
        if self.cleaned_data.get("revoke") and key.is_active:
            key.revoked_at = timezone.now()
        if key.pk is None:
            self.raw_key = key.issue()
        return super().save(commit=commit)


class ApiKeyCreateView(CreateView):
    def save_instance(self):
        instance = super().save_instance()
        messages.warning(
            self.request,
            f"The key for {instance.name} is {self.form.raw_key} . Copy it now and send it "
            "securely: it is not kept and cannot be shown again.",
        )
        return instance


class ApiKeyViewSet(SnippetViewSet):
    model = ApiKey
    icon = "key"
    menu_label = "API keys"
    add_to_settings_menu = True
    list_display = ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    ordering = ["-created_at"]
    add_view_class = ApiKeyCreateView
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("contact_email"), FieldPanel("revoke")],
        base_form_class=ApiKeyForm,
    )


register_snippet(ApiKeyViewSet)
