"""The site's URLs plus /forced-error/, a view that fails (tests only)."""

from django.urls import path

from config.urls import handler404, handler500
from config.urls import urlpatterns as site_urlpatterns


class ForcedError(Exception):
    pass


def forced_error(request):
    raise ForcedError("raised on purpose by tests/production")


urlpatterns = [path("forced-error/", forced_error), *site_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
