"""Create a demo innovator (with one submission waiting in the queue) and two demo
assessors, and print their logins. Does nothing if they exist. Local development only."""

import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership
from assessments import services
from assessments.models import Framework, QuestionType, Submission
from registry.choices import OrganisationKind
from registry.models import Category, Organisation

DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _demo_answer(criterion):
    kind = criterion.question_type
    last_month = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    return {
        QuestionType.YES_NO: "yes",
        QuestionType.TEXT: f"Demo answer to {criterion.code}.",
        QuestionType.DATE: last_month,
        QuestionType.NUMBER: 25,
        QuestionType.CHOICE: (criterion.choices or [""])[0],
        QuestionType.MULTIPLE_CHOICE: (criterion.choices or [""])[:1],
        QuestionType.STANDARD_STATUS: {
            "status": "met",
            "assessed_on": last_month,
            "expires_on": None,
        },
    }.get(kind)


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_demo_people is for local development only (DEBUG is off).")
        User = get_user_model()
        if User.objects.filter(username="innovator@example.com").exists():
            self.stdout.write(
                "Demo people exist: innovator@example.com (public site), assessor1 and "
                "assessor2 (admin); passwords were printed when they were created."
            )
            return
        password = secrets.token_urlsafe(9)
        with transaction.atomic():
            supplier = Organisation.objects.filter(kind=OrganisationKind.SUPPLIER).order_by(
                "pk"
            ).first() or Organisation.objects.create(
                name="Demo Health Ltd", kind=OrganisationKind.SUPPLIER
            )
            innovator = User.objects.create_user(
                "innovator@example.com", "innovator@example.com", password, first_name="Ina"
            )
            Membership.objects.create(
                user=innovator,
                organisation=supplier,
                email_verified_at=timezone.now(),
                organisation_verified_at=timezone.now(),
            )
            assessors = Group.objects.get(name="Assessors")
            for number in (1, 2):
                user = User.objects.create_user(
                    f"assessor{number}",
                    f"assessor{number}@nhs.net",
                    password,
                    first_name=f"Assessor {number}",
                )
                user.groups.add(assessors)
            submission = Submission.objects.create(
                organisation=supplier,
                framework=Framework.current(),
                product_name="Demo breathing coach",
                summary="Coaches people with COPD through breathing exercises at home.",
                category=Category.objects.order_by("pk").first(),
                esf_tier="B",
                pricing_model="subscription",
                deployment_model="mobile_app",
                created_by=innovator,
            )
            for section in services.load_state(submission):
                for item in section.criteria:
                    criterion = item.criterion
                    if criterion.question_type == QuestionType.FILE:
                        services.add_upload(
                            submission,
                            criterion,
                            ContentFile(DEMO_PDF, name="evidence.pdf"),
                            "application/pdf",
                            "evidence.pdf",
                            innovator,
                        )
                    else:
                        services.save_answer(
                            submission, criterion, _demo_answer(criterion), innovator
                        )
            services.submit(submission, innovator)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo innovator: innovator@example.com / {password} at /account/sign-in/ ; "
                f"demo assessors: assessor1 and assessor2 / {password} at /admin/assessments/"
            )
        )
