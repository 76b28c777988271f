from django.apps import AppConfig


class BadInputConfig(AppConfig):
    name = "bad_input"
    verbose_name = "Bad input"

    def ready(self):
        from .forms import install

        install()
