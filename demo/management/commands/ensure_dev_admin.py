"""Create a superuser for trying the registry out locally, and print its login. Does
nothing if it exists, unless --reset is given. Refuses to run with DEBUG off."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--reset", action="store_true", help="Give the user a new password and print it."
        )

    def handle(self, *args, username, reset, **options):
        if not settings.DEBUG:
            raise CommandError(
                "ensure_dev_admin is for local development only (DEBUG is off). "
                "Use `manage.py createsuperuser` to create a real account."
            )
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        base_url = settings.WAGTAILADMIN_BASE_URL
        if user and not reset:
            self.stdout.write(
                f"Admin login: {username} at {base_url}/admin/ (password printed when it was "
                "created; `make admin-password` sets a new one)."
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            user = User.objects.create_superuser(username, f"{username}@example.nhs.uk", password)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin login: username {username}, password {password} at {base_url}/admin/"
            )
        )
