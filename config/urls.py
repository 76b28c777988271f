from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.admin.views.account import LoginView as WagtailLoginView
from wagtail.documents import urls as wagtaildocs_urls

from accounts.throttling import rate_limited
from search import health as search_health

urlpatterns = [
    path("django-admin/", admin.site.urls),
    # Wagtail's own sign-in, rate-limited per address (django-axes locks the account).
    path(
        "admin/login/",
        rate_limited("sign_in")(WagtailLoginView.as_view()),
        name="wagtailadmin_login",
    ),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("account/", include("accounts.urls")),
    path("submissions/", include("assessments.urls")),
    path("", include("api.urls")),  # the JSON API under /api/v1/, and /open-data/
    path("", include("search.urls")),  # /search/
    path("", include("buyers.urls")),  # compare, shortlist, claims, peer contact, alerts
    path("", include("formularies.urls")),  # organisations' own lists of approved products
    path("", include("registry.urls")),  # organisation pages
    path("", include("feeds.urls")),  # Atom feeds
    path("health/", search_health.health, name="health"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]

handler404 = "registry.views.page_not_found"
handler500 = "registry.views.server_error"
