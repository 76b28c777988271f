"""The DTAC's data protection section asks who the Data Protection Officer is (C2.2) and
whether a DPIA was done (C2.4). The publishing rules and the DTAC state need DPO and DPIA rows
for a product that processes personal data, so those two answers now record them."""

from django.db import migrations, models

RECORDS = {"C2.2": "DPO", "C2.4": "DPIA"}


def record_dpo_and_dpia(apps, schema_editor):
    Criterion = apps.get_model("assessments", "Criterion")
    Standard = apps.get_model("assessments", "Standard")
    for code, standard_code in RECORDS.items():
        standard = Standard.objects.filter(code=standard_code).first()
        if standard is None:
            continue
        Criterion.objects.filter(
            code=code, section__code="C2", question_type__in=["text", "yes_no"], standard=None
        ).update(standard=standard)


def forget_dpo_and_dpia(apps, schema_editor):
    Criterion = apps.get_model("assessments", "Criterion")
    for code, standard_code in RECORDS.items():
        Criterion.objects.filter(
            code=code, section__code="C2", standard__code=standard_code
        ).update(standard=None)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_listing_questions_and_typed_evidence")]

    operations = [
        migrations.AlterField(
            model_name="criterion",
            name="standard",
            field=models.ForeignKey(
                blank=True,
                help_text="The standard an approved answer is recorded against: a standard "
                "status question's status and dates; a yes/no question is met if yes; a text "
                "question is met once answered.",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="assessments.standard",
            ),
        ),
        migrations.RunPython(record_dpo_and_dpia, forget_dpo_and_dpia),
    ]
