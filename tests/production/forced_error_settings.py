"""Production settings with one extra address that raises, so a test can see the 500 page as
production serves it. Used only by tests/production; nothing in config/ points here."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "tests.production.forced_error_urls"
