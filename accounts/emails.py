"""Every email the registry sends goes through here: a subject and a plain-text body
rendered from templates/emails/ in the request, then handed to a background task
(`accounts.tasks.deliver_email`) that sends it with Django's email framework, so the backend
(console, SMTP, GOV.UK Notify, or locmem in tests) is a setting.

Rendering happens before the request ends, so a template error shows at once, and the task
carries only plain text: what the person did is never held up, or lost, by a mail server
that is slow or down. A send that fails is retried with back-off and stays visible (see
`accounts/tasks.py`). With the database task backend, a message enqueued inside a
transaction is written with it: if the transaction rolls back, nothing is sent.
"""

from django.conf import settings
from django.template.loader import render_to_string

from bad_input.text import one_line

from .tasks import deliver_email


def send_templated_email(name, context, to):
    """Renders emails/<name>_subject.txt and <name>.txt and enqueues one message to all of
    `to`. Returns how many messages were enqueued (0 when there is nobody to send to)."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return 0
    context = {"site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/"), **context}
    subject = one_line(render_to_string(f"emails/{name}_subject.txt", context))
    body = render_to_string(f"emails/{name}.txt", context)
    deliver_email.enqueue(name, subject, body, recipients)
    return 1
