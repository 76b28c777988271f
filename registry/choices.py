"""Controlled vocabularies: every closed list of choices, for every app, in one module.

Each list is closed on purpose: filters, facets, imports and comparisons all depend on
every product using the same words. Lists the scaling team edits without a release
(categories, care settings, standards) are models instead. The apps' models import their
lists from here (assessments' statuses and verdicts, the API's change kinds), so each list
is written once; the models module that uses one is also where other code imports it from.
"""

from django.db import models


class OrganisationKind(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    NHS_TRUST = "nhs_trust", "NHS trust"
    ICB = "icb", "Integrated care board"
    GP_PRACTICE = "gp_practice", "GP practice"
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    SOCIAL_CARE_PROVIDER = "social_care_provider", "Social care provider"
    OTHER = "other", "Other"


class SizeBand(models.TextChoices):
    """How big an NHS or care organisation is, in three bands, each measured as its kind is
    usually measured (SIZE_MEASURES). The scaling team sets it; similar organisations are
    of one kind and one band ("organisations like yours", insight/peers.py)."""

    SMALL = "small", "Small"
    MEDIUM = "medium", "Medium"
    LARGE = "large", "Large"


#: What each band means for each kind of organisation: (who, measured by, small, medium, large).
SIZE_MEASURES = {
    "nhs_trust": ("NHS trusts", "staff", "under 5,000", "5,000 to 10,000", "over 10,000"),
    "icb": ("ICBs", "people served", "under 1 million", "1 to 2 million", "over 2 million"),
    "gp_practice": (
        "GP practices",
        "registered patients",
        "under 6,000",
        "6,000 to 12,000",
        "over 12,000",
    ),
    "local_authority": (
        "Local authorities",
        "residents",
        "under 250,000",
        "250,000 to 750,000",
        "over 750,000",
    ),
    "social_care_provider": (
        "Social care providers",
        "people supported",
        "under 50",
        "50 to 250",
        "over 250",
    ),
}


class Region(models.TextChoices):
    """The seven NHS England regions."""

    EAST_OF_ENGLAND = "east_of_england", "East of England"
    LONDON = "london", "London"
    MIDLANDS = "midlands", "Midlands"
    NORTH_EAST_AND_YORKSHIRE = "north_east_and_yorkshire", "North East and Yorkshire"
    NORTH_WEST = "north_west", "North West"
    SOUTH_EAST = "south_east", "South East"
    SOUTH_WEST = "south_west", "South West"


class EsfTier(models.TextChoices):
    """NICE Evidence Standards Framework tiers."""

    A = "A", "Tier A: system services"
    B = "B", "Tier B: understanding and communicating about health"
    C = "C", "Tier C: interventions, diagnosis and guiding care"


ESF_TIER_DESCRIPTIONS = {
    "A": "Saves cost or staff time, or improves efficiency, with no direct health outcome.",
    "B": "Helps people manage their own health and wellness.",
    "C": "Treats or diagnoses, guides care or directly affects health outcomes.",
}


class DeviceClass(models.TextChoices):
    NONE = "none", "Not a medical device"
    I = "I", "Class I"  # noqa: E741
    IIA = "IIa", "Class IIa"
    IIB = "IIb", "Class IIb"
    III = "III", "Class III"


class ConformityMarking(models.TextChoices):
    NONE = "none", "None"
    UKCA = "ukca", "UKCA"
    CE = "ce", "CE"
    UKCA_AND_CE = "ukca_and_ce", "UKCA and CE"


class PricingModel(models.TextChoices):
    FREE = "free", "Free at the point of use"
    SUBSCRIPTION = "subscription", "Annual subscription"
    PER_USER = "per_user", "Per user or licence"
    PER_PATIENT = "per_patient", "Per patient"
    PER_USE = "per_use", "Pay per use"
    ONE_OFF = "one_off", "One-off licence"
    BESPOKE = "bespoke", "Bespoke or by quotation"


class DeploymentModel(models.TextChoices):
    CLOUD = "cloud", "Cloud-hosted (software as a service)"
    ON_PREMISE = "on_premise", "On premise"
    HYBRID = "hybrid", "Hybrid"
    MOBILE_APP = "mobile_app", "Mobile app"
    DEVICE = "device", "Hardware device with software"


class EvidenceType(models.TextChoices):
    RCT = "rct", "Randomised controlled trial"
    NON_RANDOMISED = "non_randomised", "Non-randomised comparative study"
    OBSERVATIONAL = "observational", "Observational study"
    REAL_WORLD = "real_world", "Real-world evaluation"
    ECONOMIC = "economic", "Economic or budget impact analysis"
    SERVICE_EVALUATION = "service_evaluation", "Service evaluation"
    QUALITATIVE = "qualitative", "Qualitative study"
    AUDIT = "audit", "Audit"


class AdoptionScale(models.TextChoices):
    PILOT = "pilot", "Pilot"
    DEPARTMENT = "department", "Department"
    TRUST_WIDE = "trust_wide", "Organisation-wide"
    SYSTEM_WIDE = "system_wide", "System-wide"


# --- Standards, compliance and assessments (assessments/models.py) ---------------------------


class StandardCategory(models.TextChoices):
    CLINICAL_SAFETY = "clinical_safety", "Clinical safety"
    DATA_PROTECTION = "data_protection", "Data protection"
    TECHNICAL_SECURITY = "technical_security", "Technical security"
    INTEROPERABILITY = "interoperability", "Interoperability"
    USABILITY_ACCESSIBILITY = "usability_accessibility", "Usability and accessibility"
    REGULATORY = "regulatory", "Regulatory"
    ASSESSMENT_FRAMEWORKS = "assessment_frameworks", "Assessment frameworks"


class ComplianceStatus(models.TextChoices):
    MET = "met", "Met"
    PARTIALLY_MET = "partially_met", "Partially met"
    NOT_MET = "not_met", "Not met"
    IN_PROGRESS = "in_progress", "In progress"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class QuestionType(models.TextChoices):
    YES_NO = "yes_no", "Yes or no"
    TEXT = "text", "Text"
    DATE = "date", "Date"
    NUMBER = "number", "Number"
    CHOICE = "choice", "Single choice"
    MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
    FILE = "file", "File upload"
    STANDARD_STATUS = "standard_status", "Standard status with dates"


class ListingField(models.TextChoices):
    """The product page fields a framework question can fill: its approved answer is carried
    into the product draft (see assessments/publishing.py)."""

    CARE_SETTINGS = "care_settings", "Care settings"
    CLINICAL_AREAS = "clinical_areas", "Clinical areas"
    DESCRIPTION = "description", "Description"
    INTEGRATIONS = "integrations", "Integrations (interoperability standards)"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    IN_REVIEW = "in_review", "In review"
    CLARIFICATION_REQUESTED = "clarification_requested", "Clarification requested"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    AWAITING_SIGN_OFF = "awaiting_sign_off", "Awaiting second sign-off"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"


class SubmissionKind(models.TextChoices):
    NEW = "new", "New product"
    UPDATE = "update", "Update to a listed product"
    REASSESSMENT = "reassessment", "Re-assessment of an expiring section"


class Verdict(models.TextChoices):
    MET = "met", "Met"
    NOT_MET = "not_met", "Not met"
    NEEDS_CLARIFICATION = "needs_clarification", "Needs clarification"


# --- The open API's changes feed (api/models.py) -------------------------------------------


class ChangeKind(models.TextChoices):
    PRODUCT = "product", "Product"
    ORGANISATION = "organisation", "Organisation"
    CASE_STUDY = "case_study", "Case study"
    GUIDE = "guide", "Guide"
    STANDARD = "standard", "Standard"
    CATEGORY = "category", "Category"
    CARE_SETTING = "care_setting", "Care setting"
    FORMULARY = "formulary", "Formulary"


class ChangeAction(models.TextChoices):
    CREATED = "created", "Created or published"
    UPDATED = "updated", "Updated"
    UNPUBLISHED = "unpublished", "Unpublished"
    DELETED = "deleted", "Deleted"
