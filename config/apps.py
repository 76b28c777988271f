from django.apps import AppConfig


class SiteConfig(AppConfig):
    """The project's own wiring that belongs to no domain app: the anonymous page cache's
    invalidation on publish."""

    name = "config"
    label = "site_config"
    verbose_name = "Site"

    def ready(self):
        from . import page_cache

        page_cache.connect_invalidation()
