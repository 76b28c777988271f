from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    label = "registry_search"
    verbose_name = "Search"

    def ready(self):
        # Changes to pages and the snippets documents depend on are queued for the index.
        from . import signals

        signals.connect()
