"""The buyer models, moved here from registry and search with their tables.

State only for the models: each keeps its table (db_table), constraints and indexes. The
content types move with them, so permissions (the Editors' adoption-claim permissions) and
admin history still point at the same rows.
"""

import django.db.models.deletion
import django.utils.timezone
import uuid
from django.conf import settings
from django.db import migrations, models


MOVED_MODELS = {
    "registry": ["shortlistitem", "frozenshortlist", "adoptionclaim", "peermessage"],
    "registry_search": ["savedsearch", "alertdelivery"],
}


def move_content_types(apps, schema_editor, forwards=True):
    """Relabel the models' content types, so their permissions (and the groups holding
    them) and admin history follow. A content type already made under the new label (by a
    partial migrate's post_migrate) holds nothing yet and gives way to the old one."""
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_label, model_names in MOVED_MODELS.items():
        source, target = (old_label, "buyers") if forwards else ("buyers", old_label)
        for model in model_names:
            if not ContentType.objects.filter(app_label=source, model=model).exists():
                continue
            ContentType.objects.filter(app_label=target, model=model).delete()
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)
    LiveContentType.objects.clear_cache()
    if forwards:
        grant_editors_claim_permissions(apps)


def grant_editors_claim_permissions(apps):
    """Editors decide adoption claims (registry 0004 granted this). On a new database that
    grant finds no claim permissions, as the model is no longer registry's: grant it here."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="buyers", model="adoptionclaim")
    editors, _ = Group.objects.get_or_create(name="Editors")
    for action in ("view", "change"):
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type,
            codename=f"{action}_adoptionclaim",
            defaults={"name": f"Can {action} adoption claim"},
        )
        editors.permissions.add(permission)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("registry", "0004_editors_decide_adoption_claims"),
        ("registry_search", "0003_saved_searches_and_alerts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FrozenShortlist",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("products", models.JSONField(default=list)),
                        ("searches", models.JSONField(default=list)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="frozen_shortlists",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_frozenshortlist",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="SavedSearch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=200)),
                        (
                            "query_string",
                            models.CharField(
                                help_text="The search, as the search page's address reads it (words and filters).",
                                max_length=2000,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "checked_until",
                            models.DateTimeField(
                                default=django.utils.timezone.now,
                                help_text="Products first published before this were considered by the last digest.",
                            ),
                        ),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                        ("unsubscribed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="saved_searches",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_search_savedsearch",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.CreateModel(
                    name="AlertDelivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="registry.productpage",
                            ),
                        ),
                        (
                            "saved_search",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deliveries",
                                to="buyers.savedsearch",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_search_alertdelivery",
                    },
                ),
                migrations.CreateModel(
                    name="ShortlistItem",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "found_by",
                            models.CharField(
                                blank=True,
                                help_text="The search (its query string) it was added from.",
                                max_length=2000,
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="registry.productpage",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="shortlist_items",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_shortlistitem",
                        "ordering": ["added_at", "pk"],
                    },
                ),
                migrations.CreateModel(
                    name="AdoptionClaim",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "contact_email",
                            models.EmailField(
                                help_text="The claimant's address: peers' questions are relayed to it once verified.",
                                max_length=254,
                            ),
                        ),
                        ("since", models.DateField(blank=True, null=True)),
                        (
                            "scale",
                            models.CharField(
                                choices=[
                                    ("pilot", "Pilot"),
                                    ("department", "Department"),
                                    ("trust_wide", "Organisation-wide"),
                                    ("system_wide", "System-wide"),
                                ],
                                max_length=16,
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending verification"),
                                    ("verified", "Verified"),
                                    ("rejected", "Rejected"),
                                ],
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("decided_at", models.DateTimeField(blank=True, null=True)),
                        ("decision_note", models.TextField(blank=True)),
                        (
                            "claimed_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="adoption_claims",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="adoption_claims",
                                to="registry.organisation",
                            ),
                        ),
                        (
                            "product",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="adoption_claims",
                                to="registry.productpage",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_adoptionclaim",
                        "ordering": ["-created_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending")),
                                fields=("product", "organisation"),
                                name="one_pending_claim_per_organisation",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="PeerMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("body", models.TextField()),
                        ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                        (
                            "adoption",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="peer_messages",
                                to="registry.adoption",
                            ),
                        ),
                        (
                            "sender",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="peer_messages",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "registry_peermessage",
                        "ordering": ["-sent_at"],
                        "indexes": [
                            models.Index(
                                fields=["sender", "sent_at"], name="peer_message_sender_time"
                            )
                        ],
                    },
                ),
                migrations.AddConstraint(
                    model_name="savedsearch",
                    constraint=models.UniqueConstraint(
                        fields=("user", "query_string"), name="one_saved_search_per_query"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="alertdelivery",
                    constraint=models.UniqueConstraint(
                        fields=("saved_search", "product"), name="one_alert_per_search_and_product"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="shortlistitem",
                    constraint=models.UniqueConstraint(
                        fields=("user", "product"), name="one_shortlist_row_per_product"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
