"""Demo data for the registry: realistic, seeded and fast to load.

`vocabulary` holds the words, `plan` turns (seed, today, count) into plain specs with no
database access, `pages` publishes Wagtail pages in bulk, and `loader` writes a plan to
the database in batches. `manage.py seed_demo` ties them together.
"""
