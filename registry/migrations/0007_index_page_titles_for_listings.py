"""Listings (all products, a category, a care setting) are ordered by title and cut to one
page: without an index on Wagtail's page titles, PostgreSQL joins and sorts every product to
find the first twenty (about 250 ms at 20,000 products, on every signed-in view of the
listing). Wagtail's own table, so the index is made here in SQL that PostgreSQL and SQLite
both accept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_product_processes_personal_data"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS registry_page_title_idx ON wagtailcore_page (title)",
            reverse_sql="DROP INDEX IF EXISTS registry_page_title_idx",
        )
    ]
