from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Open API and open data"

    def ready(self):
        # Every change to public data is written to the changes feed in its own transaction.
        from . import signals

        signals.connect()
