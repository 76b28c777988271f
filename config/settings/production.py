from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool, env_int

DEBUG = False

for required in ("SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"):
    if not env(required):
        raise ImproperlyConfigured(f"{required} must be set in the environment in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS: a year by default. includeSubDomains and preload commit every subdomain, and (once the
# domain is on the browsers' preload list) every future visitor, to HTTPS: on by default, and
# each can be turned off for a domain that is not ready.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
STORAGES["staticfiles"]["BACKEND"] = "config.storage.StaticFilesStorage"  # noqa: F405
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", "registry-production")
# Everyone with admin access gives a code from an authenticator app (accounts/two_factor.py).
ADMIN_2FA_REQUIRED = env_bool("ADMIN_2FA_REQUIRED", True)
