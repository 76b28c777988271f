"""Every email the registry sends goes through here: a subject and a plain-text body
rendered from templates/emails/, sent with Django's email framework, so the backend
(console, SMTP, GOV.UK Notify, or locmem in tests) is a setting."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string

from bad_input.text import one_line


def send_templated_email(name, context, to):
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    context = {"site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"), **context}
    subject = one_line(render_to_string(f"emails/{name}_subject.txt", context))
    body = render_to_string(f"emails/{name}.txt", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    message.template_name = name  # read by the Notify backend to choose a template
    return message.send()
