"""Emails to the people of a supplier organisation when their submission changes state."""

from django.contrib.auth import get_user_model
from django.urls import reverse

from accounts.emails import send_templated_email


def organisation_emails(organisation):
    users = get_user_model().objects.filter(membership__organisation=organisation, is_active=True)
    return list(users.values_list("email", flat=True))


def notify_organisation(submission, event, **context):
    """Sends emails/submission_<event>.txt to everyone in the submitting organisation."""
    link = reverse("assessments:task_list", args=[submission.pk])
    return send_templated_email(
        f"submission_{event}",
        {"submission": submission, "link": link, **context},
        organisation_emails(submission.organisation),
    )
