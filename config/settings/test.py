from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = "test-only-key"  # noqa: S105
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Tasks run at once, in the request, so a test sees their effect; tests/jobs switches to
# the database backend and runs its worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SEARCH_INDEX_PREFIX = env("SEARCH_INDEX_PREFIX", "registry-test")
MEDIA_ROOT = BASE_DIR / ".test-media"  # noqa: F405
PRIVATE_MEDIA_ROOT = BASE_DIR / ".test-private-media"  # noqa: F405
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
# Tests change rows and read pages again within one test: the page cache is on only in the
# tests that are about it (tests/production/).
PAGE_CACHE_SECONDS = 0
# No collected static in tests: whitenoise looks files up as they are asked for.
WHITENOISE_AUTOREFRESH = True
OPEN_DATA_ROOT = BASE_DIR / ".test-open-data"  # noqa: F405
# The suite calls the API thousands of times from one address; tests of the limits set
# their own (tests/api/test_rate_limits.py).
API_RATE_LIMIT_ANONYMOUS = 100_000
API_RATE_LIMIT_WITH_KEY = 200_000
