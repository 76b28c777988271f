"""Editors publish what the assessors approve: they join the default moderation task, and
may publish pages (Wagtail's own Editors group may only add and change them)."""

from django.db import migrations


def add_editors_to_moderation(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")
    editors = Group.objects.filter(name="Editors").first()
    if editors is None:
        return
    for task in GroupApprovalTask.objects.filter(groups__name="Moderators"):
        task.groups.add(editors)
    Page = apps.get_model("wagtailcore", "Page")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    root = Page.objects.filter(depth=1).first()
    publish = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename="publish_page"
    ).first()
    if root and publish:
        GroupPagePermission.objects.get_or_create(group=editors, page=root, permission=publish)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0005_dtac_framework"),
        ("wagtailcore", "0098_apitoken"),
    ]
    operations = [migrations.RunPython(add_editors_to_moderation, migrations.RunPython.noop)]
