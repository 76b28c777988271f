"""The buyer models now belong to the buyers app. State only: the tables stay as they are
(buyers 0001 takes them over, with their content types)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_editors_decide_adoption_claims"),
        ("buyers", "0001_buyer_models_from_registry_and_search"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="frozenshortlist",
                    name="created_by",
                ),
                migrations.RemoveField(
                    model_name="peermessage",
                    name="adoption",
                ),
                migrations.RemoveField(
                    model_name="peermessage",
                    name="sender",
                ),
                migrations.RemoveField(
                    model_name="shortlistitem",
                    name="product",
                ),
                migrations.RemoveField(
                    model_name="shortlistitem",
                    name="user",
                ),
                migrations.DeleteModel(
                    name="AdoptionClaim",
                ),
                migrations.DeleteModel(
                    name="FrozenShortlist",
                ),
                migrations.DeleteModel(
                    name="PeerMessage",
                ),
                migrations.DeleteModel(
                    name="ShortlistItem",
                ),
            ],
            database_operations=[],
        ),
    ]
