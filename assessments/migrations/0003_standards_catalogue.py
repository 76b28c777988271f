"""The standards catalogue the registry ships with. The scaling team edits it in the admin."""

from django.db import migrations

# code, name, category, issuing body, expires, validity in months, part of
STANDARDS = [
    ("DCB0129", "Clinical risk management: manufacture of health IT systems", "clinical_safety",
     "NHS England", False, None, None),
    ("DCB0160", "Clinical risk management: deployment and use of health IT systems",
     "clinical_safety", "NHS England", False, None, None),
    ("CSO", "Named Clinical Safety Officer", "clinical_safety", "NHS England", False, None, None),
    ("MHRA", "MHRA medical device registration", "regulatory",
     "Medicines and Healthcare products Regulatory Agency", False, None, None),
    ("UKCA_CE", "UKCA or CE marking", "regulatory", "Approved body or notified body", True, 60, None),
    ("CQC", "CQC registration", "regulatory", "Care Quality Commission", False, None, None),
    ("ICO", "ICO registration", "data_protection", "Information Commissioner's Office", True, 12, None),
    ("DPO", "Named Data Protection Officer", "data_protection", "", False, None, None),
    ("DPIA", "Data protection impact assessment", "data_protection", "", False, None, None),
    ("DSPT", "Data Security and Protection Toolkit: standards met", "data_protection",
     "NHS England", True, 12, None),
    ("CE", "Cyber Essentials", "technical_security", "IASME (for the NCSC)", True, 12, None),
    ("CE_PLUS", "Cyber Essentials Plus", "technical_security", "IASME (for the NCSC)", True, 12, None),
    ("PENTEST", "Independent penetration test", "technical_security", "CREST or CHECK tester",
     True, 12, None),
    ("ISO27001", "ISO/IEC 27001 information security management", "technical_security",
     "Accredited certification body", True, 36, None),
    ("FHIR_UK_CORE", "FHIR UK Core", "interoperability", "HL7 UK and NHS England", False, None, None),
    ("HL7V2", "HL7 version 2 messaging", "interoperability", "HL7 International", False, None, None),
    ("GP_CONNECT", "GP Connect", "interoperability", "NHS England", False, None, None),
    ("IM1", "IM1 (Interface Mechanism 1) pairing", "interoperability", "NHS England", False, None, None),
    ("NHS_LOGIN", "NHS login", "interoperability", "NHS England", False, None, None),
    ("NHS_APP", "NHS App integration", "interoperability", "NHS England", False, None, None),
    ("SNOMED_CT", "SNOMED CT", "interoperability", "NHS England (UK release)", False, None, None),
    ("DMD", "Dictionary of medicines and devices (dm+d)", "interoperability", "NHS Business Services Authority",
     False, None, None),
    ("NHS_NUMBER", "NHS Number as the primary identifier", "interoperability", "NHS England", False, None, None),
    ("OPEN_API", "Documented open API", "interoperability", "", False, None, None),
    ("WCAG22AA", "WCAG 2.2 level AA", "usability_accessibility", "W3C", False, None, None),
    ("NHS_SERVICE_STANDARD", "NHS service standard", "usability_accessibility", "NHS England",
     False, None, None),
    ("ACCESSIBILITY_STATEMENT", "Accessibility statement published", "usability_accessibility", "",
     False, None, None),
    ("DTAC", "Digital Technology Assessment Criteria (DTAC)", "assessment_frameworks", "NHS England",
     True, 12, None),
    ("DTAC_C1", "DTAC C1: clinical safety", "assessment_frameworks", "NHS England", True, 12, "DTAC"),
    ("DTAC_C2", "DTAC C2: data protection", "assessment_frameworks", "NHS England", True, 12, "DTAC"),
    ("DTAC_C3", "DTAC C3: technical security", "assessment_frameworks", "NHS England", True, 12, "DTAC"),
    ("DTAC_C4", "DTAC C4: interoperability", "assessment_frameworks", "NHS England", True, 12, "DTAC"),
    ("DTAC_D", "DTAC D: usability and accessibility", "assessment_frameworks", "NHS England",
     True, 12, "DTAC"),
]


def load_standards(apps, schema_editor):
    Standard = apps.get_model("assessments", "Standard")
    by_code = {}
    for position, (code, name, category, body, expires, months, part_of) in enumerate(STANDARDS):
        standard, _ = Standard.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "category": category,
                "issuing_body": body,
                "expires": expires,
                "validity_months": months,
                "part_of": by_code.get(part_of),
                "sort_order": position,
            },
        )
        by_code[code] = standard


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_initial")]
    operations = [migrations.RunPython(load_standards, migrations.RunPython.noop)]
