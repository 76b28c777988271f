"""Categories, care settings, the site's page tree and the permission groups."""

import uuid

from django.db import migrations
from django.utils import timezone

CATEGORIES = [
    (
        "Appointments and waiting lists",
        "appointments-and-waiting-lists",
        "Booking, reminders, waiting list validation and reducing missed appointments.",
    ),
    (
        "Clinical decision support",
        "clinical-decision-support",
        "Tools that guide clinicians' decisions at the point of care.",
    ),
    (
        "Diagnostics and imaging",
        "diagnostics-and-imaging",
        "Software that reads images, signals or test results, including AI.",
    ),
    (
        "Digital therapeutics",
        "digital-therapeutics",
        "Software that treats a condition, such as digital CBT.",
    ),
    (
        "Electronic patient records",
        "electronic-patient-records",
        "Electronic patient record (EPR) systems and their modules.",
    ),
    (
        "Medicines management",
        "medicines-management",
        "Prescribing, administration, reconciliation and adherence.",
    ),
    (
        "Online consultation and triage",
        "online-consultation-and-triage",
        "Online and video consultation, symptom checking and triage.",
    ),
    (
        "Patient engagement and communication",
        "patient-engagement-and-communication",
        "Letters, messaging, patient portals and education.",
    ),
    (
        "Population health and analytics",
        "population-health-and-analytics",
        "Risk stratification, dashboards and population health management.",
    ),
    (
        "Remote monitoring and virtual wards",
        "remote-monitoring-and-virtual-wards",
        "Monitoring people at home, including virtual wards.",
    ),
    (
        "Self-management",
        "self-management",
        "Apps and services that help people manage their own health.",
    ),
    (
        "Shared care records and integration",
        "shared-care-records-and-integration",
        "Sharing records and data between organisations.",
    ),
    (
        "Social care management",
        "social-care-management",
        "Care planning, rostering and records for social care providers.",
    ),
    (
        "Workforce and operations",
        "workforce-and-operations",
        "Rostering, staff bank, bed management and patient flow.",
    ),
]

CARE_SETTINGS = [
    ("Acute hospital", "acute-hospital", "Inpatient, outpatient and emergency hospital care."),
    ("Ambulance service", "ambulance-service", "Emergency and urgent care before hospital."),
    ("Care home", "care-home", "Residential and nursing homes."),
    (
        "Community health services",
        "community-health-services",
        "District nursing, therapies and community teams.",
    ),
    ("Home", "home", "People in their own homes, including virtual wards."),
    ("Hospice and palliative care", "hospice-and-palliative-care", ""),
    (
        "Mental health services",
        "mental-health-services",
        "Inpatient and community mental health, and talking therapies.",
    ),
    ("Pharmacy", "pharmacy", "Community and hospital pharmacy."),
    ("Primary care", "primary-care", "GP practices and primary care networks."),
    ("Social care", "social-care", "Adult social care and domiciliary care."),
]

SECTIONS = [
    (
        "ProductIndexPage",
        "productindexpage",
        "Products",
        "products",
        "Every product in the registry, with its evidence, standards and adopters.",
    ),
    (
        "CaseStudyIndexPage",
        "casestudyindexpage",
        "Case studies",
        "case-studies",
        "How NHS and care organisations adopted products, and what changed, in figures.",
    ),
    (
        "BestPracticeIndexPage",
        "bestpracticeindexpage",
        "Best-practice guides",
        "guides",
        "Guides from the scaling team on choosing, adopting and spreading digital tools.",
    ),
]


def create_reference_data(apps, schema_editor):
    Category = apps.get_model("registry", "Category")
    CareSetting = apps.get_model("registry", "CareSetting")
    for name, slug, description in CATEGORIES:
        Category.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
    for name, slug, description in CARE_SETTINGS:
        CareSetting.objects.update_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )


def create_site(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    Locale = apps.get_model("wagtailcore", "Locale")

    locale = Locale.objects.order_by("pk").first()
    now = timezone.now()

    # Replace the placeholder page that Wagtail's own migrations create.
    Page.objects.filter(
        content_type__app_label="wagtailcore", content_type__model="page", depth=2
    ).delete()
    root = Page.objects.get(depth=1)

    def make(model_name, ct_model, title, slug, path, depth, url_path, numchild, **fields):
        content_type, _ = ContentType.objects.get_or_create(app_label="registry", model=ct_model)
        model = apps.get_model("registry", model_name)
        return model.objects.create(
            title=title,
            draft_title=title,
            slug=slug,
            content_type=content_type,
            path=path,
            depth=depth,
            numchild=numchild,
            url_path=url_path,
            live=True,
            has_unpublished_changes=False,
            first_published_at=now,
            last_published_at=now,
            locale=locale,
            translation_key=uuid.uuid4(),
            **fields,
        )

    home_path = root.path + "0001"
    home = make(
        "HomePage",
        "homepage",
        "Find proven digital health products",
        "home",
        home_path,
        2,
        "/home/",
        len(SECTIONS),
        intro="Find digital health products that are proven to work and safe to adopt: "
        "their evidence, the standards they meet and who already uses them.",
    )
    for position, (model_name, ct_model, title, slug, intro) in enumerate(SECTIONS, start=1):
        make(
            model_name,
            ct_model,
            title,
            slug,
            f"{home_path}{position:04d}",
            3,
            f"/home/{slug}/",
            0,
            intro=intro,
        )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])

    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost",
        port=80,
        root_page=home,
        is_default_site=True,
        site_name="Registry of proven digital health products",
    )


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def perms(*codenames):
        return list(Permission.objects.filter(codename__in=codenames))

    access_admin = perms("access_admin")
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(
        *access_admin,
        *perms(
            *[
                f"{action}_{model}"
                for action in ("add", "change", "delete", "view")
                for model in ("organisation", "category", "caresetting", "standard")
            ]
        ),
    )
    assessors, _ = Group.objects.get_or_create(name="Assessors")
    assessors.permissions.add(
        *access_admin,
        *perms(
            *[f"view_{model}" for model in ("organisation", "category", "caresetting", "standard")]
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0001_initial"),
        ("assessments", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [
        migrations.RunPython(create_reference_data, migrations.RunPython.noop),
        migrations.RunPython(create_site, migrations.RunPython.noop),
        migrations.RunPython(create_groups, migrations.RunPython.noop),
    ]
