"""Saved searches and alerts now belong to the buyers app. State only: the tables stay as
they are (buyers 0001 takes them over, with their content types)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry_search", "0003_saved_searches_and_alerts"),
        ("buyers", "0001_buyer_models_from_registry_and_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="savedsearch",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="AlertDelivery",
                ),
                migrations.DeleteModel(
                    name="SavedSearch",
                ),
            ],
            database_operations=[],
        ),
    ]
