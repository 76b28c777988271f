"""The scaling team (Editors) verifies adoption claims and confirms who works where."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registry",
            codename__in=["view_adoptionclaim", "change_adoptionclaim"],
        ),
        *Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["view_membership", "change_membership"],
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0003_buyer_tools"),
        ("accounts", "0002_organisation_verified_membership"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
