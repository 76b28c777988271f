"""Demo data and development-only commands: nothing here serves a user of the registry.

`vocabulary` holds the words, `plan` turns (seed, today, count) into plain specs with no
database access, `pages` publishes Wagtail pages in bulk, and `loader` writes a plan to
the database in batches. `manage.py seed_demo` ties them together; `ensure_dev_admin`
and `ensure_demo_people` add the people a developer signs in as (they refuse to run with
DEBUG off).
"""
