"""A Django email backend that sends through GOV.UK Notify.

Select it with EMAIL_BACKEND=accounts.notify.NotifyEmailBackend and set NOTIFY_API_KEY and
NOTIFY_EMAIL_TEMPLATE_ID. The registry renders its own subject and body (templates/emails/)
and hands them to one Notify template whose content is ((subject)) and ((body)), so every
email the registry sends works unchanged, whichever backend is configured.

Why not django-gov-notify: its 0.7.0 (the latest) supports Django 5.2 but pins
notifications-python-client below 9, and the registry uses the current major (10, see
pyproject.toml); going back two majors of the Notify client for a 30-line backend is the
worse trade. Revisit when it allows the current client.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend


class NotifyEmailBackend(BaseEmailBackend):
    def __init__(self, fail_silently=False, api_key=None, template_id=None, **kwargs):
        super().__init__(fail_silently=fail_silently, **kwargs)
        self.api_key = api_key or settings.NOTIFY_API_KEY
        self.template_id = template_id or settings.NOTIFY_EMAIL_TEMPLATE_ID
        if not self.api_key or not self.template_id:
            raise ImproperlyConfigured(
                "The GOV.UK Notify email backend needs NOTIFY_API_KEY and NOTIFY_EMAIL_TEMPLATE_ID."
            )
        self.client = None

    def open(self):
        if self.client is None:
            from notifications_python_client.notifications import NotificationsAPIClient

            self.client = NotificationsAPIClient(self.api_key)
        return True

    def send_messages(self, email_messages):
        self.open()
        sent = 0
        for message in email_messages:
            try:
                for address in message.recipients():
                    self.client.send_email_notification(
                        email_address=address,
                        template_id=self.template_id,
                        personalisation={"subject": message.subject, "body": message.body},
                        reference=getattr(message, "template_name", None),
                    )
                sent += 1
            except Exception:
                if not self.fail_silently:
                    raise
        return sent
