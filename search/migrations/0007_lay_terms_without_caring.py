# "caring" is stemmed to "care" before the synonyms apply, so the first carers' lay term made
# every search with "care" in it (care home, social care, most supplier names) also a search
# for carers: wrong results, and the costliest searches there are. The phrases stay.

from django.db import migrations, models

BEFORE = "carer, carers, caring, looking after a relative, caring for a relative"
AFTER = "carer, carers, looking after a relative, caring for a relative"


def drop_caring(apps, schema_editor):
    LayTerm = apps.get_model("registry_search", "LayTerm")
    # Only the term as first written: one the scaling team has since edited stays theirs.
    LayTerm.objects.filter(words=BEFORE).update(words=AFTER)


def restore_caring(apps, schema_editor):
    LayTerm = apps.get_model("registry_search", "LayTerm")
    LayTerm.objects.filter(words=AFTER).update(words=BEFORE)


class Migration(migrations.Migration):
    dependencies = [
        ("registry_search", "0006_database_search_text"),
    ]

    operations = [
        migrations.AlterField(
            model_name="layterm",
            name="words",
            field=models.CharField(
                help_text="What people type, separated by commas, such as: kids, kid, "
                "children's. Words are matched by their stem, so leave out a form that shares "
                "its stem with a word the registry uses everywhere (“caring” would also catch "
                "every search for “care”).",
                max_length=200,
                unique=True,
            ),
        ),
        migrations.RunPython(drop_caring, restore_caring),
    ]
