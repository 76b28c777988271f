"""The framework the registry ships with: DTAC sections A to D and the NICE ESF evidence
classification, as version 1. The Assessors group gets the permission to review."""

from django.db import migrations

EVIDENCE_TYPES = [
    "Randomised controlled trial",
    "Non-randomised comparative study",
    "Observational study",
    "Real-world evaluation",
    "Economic or budget impact analysis",
    "Service evaluation",
    "Qualitative study",
    "Audit",
]
INTEROPERABILITY = [
    "FHIR UK Core",
    "HL7 version 2",
    "GP Connect",
    "IM1",
    "NHS login",
    "NHS App",
    "SNOMED CT",
    "dm+d",
    "NHS Number",
    "None of these",
]

# code, title, standard code, [(code, question, hint, type, mandatory, tiers, devices only,
# standard code, choices)]
SECTIONS = [
    (
        "A",
        "Company information",
        None,
        [
            (
                "A1",
                "What is your company's registered address?",
                "",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "A2",
                "Who is the named contact for this submission?",
                "Their name, role and email address.",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "A3",
                "How many people does your company employ?",
                "",
                "number",
                False,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "B",
        "Value proposition",
        None,
        [
            (
                "B1",
                "What problem does your product solve, and for whom?",
                "Describe the users and the care pathway it fits.",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "B2",
                "What benefits has it shown for patients, staff or the system?",
                "",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "B3",
                "Upload a value proposition or business case",
                "Optional. PDF, Word, PNG or JPEG, up to 20 MB.",
                "file",
                False,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "ESF",
        "Evidence (NICE Evidence Standards Framework)",
        None,
        [
            (
                "E1",
                "What is the strongest type of evidence you have?",
                "",
                "choice",
                True,
                "ABC",
                False,
                None,
                EVIDENCE_TYPES,
            ),
            (
                "E2",
                "Upload your main evidence document",
                "A published paper, evaluation report or audit. PDF, Word, PNG or JPEG, up to 20 MB.",
                "file",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "E3",
                "Summarise the economic impact of your product",
                "Tier C products must show budget impact or cost-effectiveness.",
                "text",
                True,
                "C",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "C1",
        "Clinical safety",
        "DTAC_C1",
        [
            (
                "C1.1",
                "Does your product meet DCB0129 (clinical risk management)?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "DCB0129",
                [],
            ),
            (
                "C1.2",
                "Who is your Clinical Safety Officer?",
                "Their name and professional registration.",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "C1.3",
                "Upload your clinical safety case report or hazard log",
                "PDF, Word, PNG or JPEG, up to 20 MB.",
                "file",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "C1.4",
                "Is your product registered with the MHRA as a medical device?",
                "",
                "standard_status",
                True,
                "ABC",
                True,
                "MHRA",
                [],
            ),
            (
                "C1.5",
                "Does your product carry UKCA or CE marking?",
                "",
                "standard_status",
                True,
                "ABC",
                True,
                "UKCA_CE",
                [],
            ),
        ],
    ),
    (
        "C2",
        "Data protection",
        "DTAC_C2",
        [
            (
                "C2.1",
                "Is your company registered with the Information Commissioner's Office?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "ICO",
                [],
            ),
            (
                "C2.2",
                "Who is your Data Protection Officer?",
                "",
                "text",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "C2.3",
                "What is your Data Security and Protection Toolkit status?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "DSPT",
                [],
            ),
            (
                "C2.4",
                "Have you completed a data protection impact assessment?",
                "",
                "yes_no",
                True,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "C3",
        "Technical security",
        "DTAC_C3",
        [
            (
                "C3.1",
                "Do you hold Cyber Essentials certification?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "CE",
                [],
            ),
            (
                "C3.2",
                "Has the product had an independent penetration test?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "PENTEST",
                [],
            ),
            (
                "C3.3",
                "Upload a summary of your latest penetration test",
                "Optional. PDF, Word, PNG or JPEG, up to 20 MB.",
                "file",
                False,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "C4",
        "Interoperability",
        "DTAC_C4",
        [
            (
                "C4.1",
                "Which interoperability standards does your product use?",
                "Select all that apply.",
                "multiple_choice",
                True,
                "ABC",
                False,
                None,
                INTEROPERABILITY,
            ),
            (
                "C4.2",
                "Do you publish documented open APIs?",
                "",
                "yes_no",
                True,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
    (
        "D",
        "Usability and accessibility",
        "DTAC_D",
        [
            (
                "D1",
                "Does your product meet WCAG 2.2 level AA?",
                "",
                "standard_status",
                True,
                "ABC",
                False,
                "WCAG22AA",
                [],
            ),
            (
                "D2",
                "Do you publish an accessibility statement?",
                "",
                "yes_no",
                True,
                "ABC",
                False,
                None,
                [],
            ),
            (
                "D3",
                "When did you last test the product with its users?",
                "",
                "date",
                False,
                "ABC",
                False,
                None,
                [],
            ),
        ],
    ),
]


def load_framework(apps, schema_editor):
    Framework = apps.get_model("assessments", "Framework")
    Section = apps.get_model("assessments", "Section")
    Criterion = apps.get_model("assessments", "Criterion")
    Standard = apps.get_model("assessments", "Standard")
    standards = {standard.code: standard for standard in Standard.objects.all()}
    framework, _ = Framework.objects.get_or_create(
        name="Digital Technology Assessment Criteria",
        version="1",
        defaults={"is_current": True},
    )
    for position, (code, title, standard, criteria) in enumerate(SECTIONS):
        section, _ = Section.objects.update_or_create(
            framework=framework,
            code=code,
            defaults={"title": title, "sort_order": position, "standard": standards.get(standard)},
        )
        for order, (
            ccode,
            question,
            hint,
            kind,
            mandatory,
            tiers,
            devices,
            cstandard,
            choices,
        ) in enumerate(criteria):
            Criterion.objects.update_or_create(
                section=section,
                code=ccode,
                defaults={
                    "question": question,
                    "hint": hint,
                    "question_type": kind,
                    "mandatory": mandatory,
                    "applies_to_tiers": tiers,
                    "devices_only": devices,
                    "standard": standards.get(cstandard),
                    "choices": choices,
                    "sort_order": order,
                },
            )


def grant_review_permission(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    assessors, _ = Group.objects.get_or_create(name="Assessors")
    assessors.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="assessments",
            codename__in=["review_submission", "view_submission"],
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_submissions"),
        ("registry", "0002_reference_data_and_site"),
    ]
    operations = [
        migrations.RunPython(load_framework, migrations.RunPython.noop),
        migrations.RunPython(grant_review_permission, migrations.RunPython.noop),
    ]
