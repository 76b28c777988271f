"""Settings shared by every environment.

Everything that differs between a laptop, CI and production is read from the environment;
the defaults here are safe for development only. `production.py` refuses to start without
the secrets it needs.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from exc


SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
# A demo site (seed_demo's fictional catalogue) says so on every page. On in development
# (`make run`), off in production and tests unless DEMO_SITE=true is set.
DEMO_SITE = env_bool("DEMO_SITE", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "bad_input",
    "config.apps.SiteConfig",
    "registry",
    "accounts",
    "assessments",
    "proof",
    "interchange",
    "search",
    "buyers",
    "demo",
    "jobs",
    "api",
    "insight",
    "formularies",
    "wagtailnhsukfrontend",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "corsheaders",
    "ninja",  # serves the API docs page's assets locally, not from a CDN
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files with far-future caching from gunicorn itself (hashed names in production).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SiteCSPMiddleware",
    "config.middleware.ResponseHeadersMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    # Under /api/ only: rate limits, one error body, ETag and 304s, gzip (api/middleware.py).
    "api.middleware.ApiMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # After sessions and CSRF, before the rest: a page from the cache skips the work it does not
    # need (config/page_cache.py).
    "config.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.two_factor.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bad_input.middleware.RefuseBadCharactersMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out sign-in into its page
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site_navigation",
                "config.context_processors.demo_site",
            ],
        },
    },
]

# The embedded default is SQLite so `make run` needs no services; PostgreSQL is the
# database of record everywhere else (DATABASE_URL=postgres://user:pass@host:port/name).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        # A kept-open connection is checked before each request reuses it, so a database
        # restart costs no failed requests (issue 12).
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", True),
    )
}

# Seconds a visitor is asked to wait (Retry-After on the 503 page) while the database is down.
DATABASE_OUTAGE_RETRY_AFTER = env_int("DATABASE_OUTAGE_RETRY_AFTER", 30)

# One cache every worker and server shares: the database's own cache table
# (`manage.py createcachetable`, run by `make migrate` and by the test runner). It holds the
# anonymous page cache (config/page_cache.py).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "registry_cache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50_000), "CULL_FREQUENCY": 4},
    }
}
# Anonymous pages are kept at most this long (and never past midnight in Europe/London);
# 0 turns the page cache off.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
# Never cached: search records what people look for; the rest is personal or the CMS.
PAGE_CACHE_EXCLUDED_PATHS = [
    "/admin/",
    "/django-admin/",
    "/account/",
    "/submissions/",
    "/search/",
    "/api/v1/search",
    "/compare/",
    "/shortlist/",
    "/alerts/",
    "/health/",
    "/documents/",
]
# Session keys that change no page: a visitor whose session holds only these is served from
# the page cache (the searches already logged for the demand report, search/views.py).
PAGE_CACHE_IMPERSONAL_SESSION_KEYS = ["logged_searches"]
# Saving one of these (and publishing, unpublishing, moving or deleting a page) drops every
# cached page.
PAGE_CACHE_INVALIDATING_MODELS = [
    "registry.Organisation",
    "registry.Category",
    "registry.CareSetting",
    "registry.Adoption",
    "assessments.Standard",
    "assessments.ProductCompliance",
    "wagtailcore.Site",
]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STATICFILES_DIRS = [BASE_DIR / "static_src"]
STATIC_ROOT = Path(env("STATIC_ROOT", BASE_DIR / "static"))
STATIC_URL = "/static/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"
# Evidence innovators upload: never under MEDIA_ROOT, never given a URL; served by a view
# that checks who is asking.
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", BASE_DIR / "private-media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# Response headers (config/middleware.py). The public site runs no inline script or style:
# nonces are there for a template that needs one ({{ request.csp_nonce }}), and a page that
# uses one is never stored in the page cache.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": ["'self'", "data:"],
        # The NHS.UK frontend's stylesheet loads the Frutiger web font from the NHS's own CDN.
        "font-src": ["'self'", "data:", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# The Wagtail and Django admin use inline scripts and styles without nonces; they get this
# looser policy (still no other origins, no plugins, no framing by others).
CONTENT_SECURITY_POLICY_ADMIN = {
    "URL_PREFIXES": ["/admin/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:", "https://assets.nhs.uk"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
}
PERMISSIONS_POLICY = env(
    "PERMISSIONS_POLICY",
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), "
    "gyroscope=(), magnetometer=(), microphone=(), midi=(), payment=(), usb=()",
)
# Personal whoever asks: `Cache-Control: no-store, private` (signed-in pages always are).
PRIVATE_PATH_PREFIXES = [
    "/account/",
    "/submissions/",
    "/compare/",
    "/shortlist/",
    "/alerts/",
    "/admin/",
    "/django-admin/",
]
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Email: console in development; SMTP or any Django backend in production via EMAIL_BACKEND.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "registry@example.nhs.uk")

# Background tasks (django-tasks): emails, the daily jobs and Wagtail's own background work
# are stored in the database and run by `manage.py db_worker` (see docs/services.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# The daily jobs, run once a day at DAILY_JOBS_AT (local time) by the task worker; each run
# enqueues the next (jobs/schedule.py). `manage.py schedule_daily_jobs` starts the chain.
DAILY_JOBS = [
    "assessments.tasks.check_expiry_daily",
    "buyers.tasks.send_alerts_daily",
    "proof.tasks.check_proof_rules_daily",
    "api.tasks.publish_open_data_daily",
    "insight.tasks.refresh_insight_daily",
]
DAILY_JOBS_AT = env("DAILY_JOBS_AT", "06:00")

# Accounts: Django's own user model; sign in, out and password reset on the public site.
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "assessments:dashboard"
LOGOUT_REDIRECT_URL = "/"
AUTHENTICATION_BACKENDS = [
    "accounts.throttling.SignInLockoutBackend",  # django-axes: refuses locked-out sign-ins
    "django.contrib.auth.backends.ModelBackend",
]

# Two-factor authentication for everyone with admin access (accounts/two_factor.py): on in
# production, off by default elsewhere.
ADMIN_2FA_REQUIRED = env_bool("ADMIN_2FA_REQUIRED", False)
OTP_TOTP_ISSUER = "NHS registry of proven digital health products"

# Abuse (accounts/throttling.py, docs/security.md). Sign-in: after AXES_FAILURE_LIMIT
# failures for one account, signing in to it is refused for the cool-off time.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]  # per address: RATE_LIMITS["sign_in"]
# axes.W006 asks for ip_address in the lockout parameters; per-address limits are
# RATE_LIMITS["sign_in"] instead, so one trust behind one address is never locked out.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.throttling.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.throttling.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
# Proxies in front of the site that append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
# Forms that send email or create accounts: (attempts, seconds) per client address and per
# account (the email address asked about, or the signed-in person).
RATE_LIMITS = {
    "sign_in": {"per_ip": (100, 900)},
    "password_reset": {"per_ip": (10, 3600), "per_account": (3, 3600)},
    "registration": {"per_ip": (10, 3600), "per_account": (3, 3600)},
    "invitation": {"per_ip": (30, 3600), "per_account": (10, 3600)},
}

# Assessments
ASSESSMENT_TARGET_DAYS = env_int("ASSESSMENT_TARGET_DAYS", 20)
ASSESSMENT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024
# An Office file (a zip) is refused when its members declare more than this in all, or one of
# them is compressed more than this ratio (assessments/uploads.py).
OFFICE_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
OFFICE_MAX_COMPRESSION_RATIO = 100
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# GOV.UK Notify, used when EMAIL_BACKEND is accounts.notify.NotifyEmailBackend.
NOTIFY_API_KEY = env("NOTIFY_API_KEY", "")
# One Notify template with ((subject)) and ((body)) placeholders carries every email.
NOTIFY_EMAIL_TEMPLATE_ID = env("NOTIFY_EMAIL_TEMPLATE_ID", "")

# Wagtail
WAGTAIL_SITE_NAME = "Registry of proven digital health products"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "xlsx"]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
# Avatars come from the user's own upload or the default image: nothing fetched from outside.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
TAGGIT_CASE_INSENSITIVE = True

# Elasticsearch. Empty means "not configured": search falls back to the database.
ELASTICSEARCH_URL = env("ELASTICSEARCH_URL", "")
ELASTICSEARCH_TIMEOUT = float(env("ELASTICSEARCH_TIMEOUT", "5"))
# Every index and alias name starts with this, so environments sharing a cluster never collide.
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", "registry-dev")

# The open API (api/): anonymous callers are limited per IP address, callers with a key
# issued in the admin per key; requests a minute. CORS lets any site read /api/ with GET.
API_RATE_LIMIT_ANONYMOUS = env_int("API_RATE_LIMIT_ANONYMOUS", 60)
API_RATE_LIMIT_WITH_KEY = env_int("API_RATE_LIMIT_WITH_KEY", 1200)
API_RATE_LIMIT_WINDOW_SECONDS = 60
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["accept", "if-none-match", "if-modified-since", "x-api-key"]
CORS_EXPOSE_HEADERS = [
    "etag",
    "last-modified",
    "retry-after",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
]
CORS_ALLOW_CREDENTIALS = False

# Open data (manage.py publish_open_data): where the dated zip files are written and how
# many are kept. Served at /open-data/files/<name>.
OPEN_DATA_ROOT = Path(env("OPEN_DATA_ROOT", BASE_DIR / "open-data"))
OPEN_DATA_KEEP = env_int("OPEN_DATA_KEEP", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "elasticsearch": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "elastic_transport": {"level": "WARNING"},
    },
}
