"""The words demo data is made of: clinical areas, what products in each category do, and
the names of places, organisations and people.

Names of real places and of the 42 integrated care boards are used so the demo reads like
the NHS; every code, company and person is invented. Web and email addresses use the
reserved `.example` top-level domain, so demo data can never send mail to, or link to,
a real organisation.
"""

from dataclasses import dataclass, field

# --- Clinical areas -------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """A measure a product can move, with a plausible starting range and improvement."""

    metric: str
    unit: str
    low: float
    high: float
    lower_is_better: bool = True
    # Relative improvement range, as fractions of the starting value.
    min_change: float = 0.08
    max_change: float = 0.35
    decimals: int = 0


@dataclass(frozen=True)
class ClinicalArea:
    tag: str  # the clinical-area tag, as users type it
    people: str  # who the product is for
    team: str  # who uses it with them
    signal: str  # what is measured or recorded
    therapy: str  # what a digital therapy or self-management programme delivers
    test: str  # what a diagnostic tool reads; empty if none fits the area
    risk: str  # what population health tools try to prevent
    stems: tuple[str, ...]  # product-name stems
    care_settings: tuple[str, ...]  # care-setting slugs where it is usually used
    outcomes: tuple[Outcome, ...]
    related_tags: tuple[str, ...] = ()


def _o(metric, unit, low, high, lower=True, lo=0.08, hi=0.35, decimals=0):
    return Outcome(metric, unit, low, high, lower, lo, hi, decimals)


CLINICAL_AREAS = (
    ClinicalArea(
        tag="diabetes",
        people="people with type 1 or type 2 diabetes",
        team="diabetes specialist nurses",
        signal="blood glucose readings",
        therapy="structured diabetes education",
        test="retinal photographs from diabetic eye screening",
        risk="diabetes complications",
        stems=("Gluco", "Sugar", "Insulin", "Dia"),
        care_settings=("primary-care", "home", "community-health-services"),
        outcomes=(
            _o("Average HbA1c", "mmol/mol", 60, 78, lo=0.05, hi=0.15),
            _o("Diabetes-related emergency admissions", "admissions per year", 80, 300),
            _o("People with all eight care processes completed", "%", 45, 62, lower=False),
        ),
        related_tags=("long-term conditions",),
    ),
    ClinicalArea(
        tag="COPD",
        people="people with chronic obstructive pulmonary disease (COPD)",
        team="community respiratory teams",
        signal="oxygen saturation, breathlessness and symptom scores",
        therapy="pulmonary rehabilitation",
        test="spirometry results",
        risk="COPD exacerbations",
        stems=("Breathe", "Pulmo", "Airway", "Lung"),
        care_settings=("home", "community-health-services", "primary-care"),
        outcomes=(
            _o("Emergency admissions for COPD exacerbations", "admissions per year", 120, 420),
            _o("Average length of stay", "days", 5, 9, decimals=1),
            _o("Referred patients completing pulmonary rehabilitation", "%", 30, 50, False),
        ),
        related_tags=("respiratory", "long-term conditions"),
    ),
    ClinicalArea(
        tag="asthma",
        people="children and adults with asthma",
        team="practice nurses",
        signal="peak flow and inhaler use",
        therapy="inhaler technique coaching",
        test="",
        risk="asthma attacks",
        stems=("Inhale", "Asthma", "Airo"),
        care_settings=("primary-care", "home", "pharmacy"),
        outcomes=(
            _o("Asthma attacks needing hospital treatment", "attacks per year", 40, 160),
            _o("Reliever inhalers prescribed per patient", "inhalers per year", 6, 11, decimals=1),
            _o("Patients with a personalised asthma action plan", "%", 30, 55, False),
        ),
        related_tags=("respiratory", "children and young people"),
    ),
    ClinicalArea(
        tag="heart failure",
        people="people with heart failure",
        team="heart failure specialist nurses",
        signal="weight, blood pressure and heart rate",
        therapy="cardiac rehabilitation",
        test="echocardiograms",
        risk="heart failure admissions",
        stems=("Cardio", "Heart", "Pulse"),
        care_settings=("home", "community-health-services", "acute-hospital"),
        outcomes=(
            _o("30-day readmissions", "%", 18, 27, decimals=1),
            _o("Bed days for heart failure", "bed days per month", 300, 900),
            _o("Time from referral to echocardiogram", "days", 35, 90),
        ),
        related_tags=("cardiology", "long-term conditions"),
    ),
    ClinicalArea(
        tag="atrial fibrillation",
        people="people with or at risk of atrial fibrillation",
        team="cardiology teams",
        signal="heart rhythm recordings",
        therapy="anticoagulation support",
        test="single-lead ECG recordings",
        risk="AF-related strokes",
        stems=("Rhythm", "Beat", "Cardia"),
        care_settings=("primary-care", "pharmacy", "acute-hospital"),
        outcomes=(
            _o("People with AF on anticoagulation", "%", 78, 88, False, 0.03, 0.1),
            _o("Time to ECG review", "days", 10, 30),
            _o("AF-related strokes", "strokes per year", 30, 90),
        ),
        related_tags=("cardiology",),
    ),
    ClinicalArea(
        tag="hypertension",
        people="people with high blood pressure",
        team="primary care teams",
        signal="home blood pressure readings",
        therapy="blood pressure self-management",
        test="",
        risk="heart attacks and strokes",
        stems=("Pressure", "BP", "Tension"),
        care_settings=("primary-care", "home", "pharmacy"),
        outcomes=(
            _o("Patients with blood pressure controlled to target", "%", 55, 68, False, 0.05, 0.2),
            _o("GP appointments for blood pressure checks", "appointments per month", 400, 1500),
            _o("Average systolic blood pressure", "mmHg", 142, 156, lo=0.03, hi=0.08),
        ),
        related_tags=("cardiology", "long-term conditions"),
    ),
    ClinicalArea(
        tag="mental health",
        people="adults with anxiety and depression",
        team="NHS Talking Therapies teams",
        signal="mood and anxiety scores",
        therapy="cognitive behavioural therapy (CBT)",
        test="",
        risk="mental health crises",
        stems=("Mind", "Calm", "Mood", "Thrive"),
        care_settings=("mental-health-services", "primary-care", "home"),
        outcomes=(
            _o("Recovery rate", "%", 44, 52, False, 0.04, 0.15),
            _o("Waiting time for first treatment session", "weeks", 6, 18),
            _o("Did not attend rate", "%", 10, 18, decimals=1),
        ),
        related_tags=("children and young people",),
    ),
    ClinicalArea(
        tag="dementia",
        people="people living with dementia and their carers",
        team="memory assessment services",
        signal="memory and daily living scores",
        therapy="cognitive stimulation",
        test="brain MRI scans",
        risk="avoidable admissions of people with dementia",
        stems=("Memory", "Recall", "Mindful"),
        care_settings=("care-home", "home", "mental-health-services"),
        outcomes=(
            _o("Dementia diagnosis rate", "%", 56, 64, False, 0.03, 0.12),
            _o("Time from referral to diagnosis", "weeks", 12, 30),
            _o("Emergency admissions from care homes", "admissions per month", 20, 70),
        ),
        related_tags=("frailty",),
    ),
    ClinicalArea(
        tag="MSK",
        people="people with back, neck and joint pain",
        team="physiotherapists",
        signal="pain and function scores",
        therapy="exercise-based physiotherapy",
        test="knee and hip X-rays",
        risk="unnecessary orthopaedic referrals",
        stems=("Joint", "Motion", "Physio", "Flex"),
        care_settings=("community-health-services", "primary-care", "home"),
        outcomes=(
            _o("Waiting time for first physiotherapy appointment", "weeks", 6, 18),
            _o("Referrals to orthopaedic surgery", "referrals per month", 80, 240),
            _o("Patients discharged after self-management", "%", 18, 34, False),
        ),
        related_tags=("musculoskeletal",),
    ),
    ClinicalArea(
        tag="dermatology",
        people="people with suspected skin cancer",
        team="dermatologists",
        signal="images of skin lesions",
        therapy="eczema and psoriasis self-care",
        test="dermoscopic images of skin lesions",
        risk="late diagnosis of melanoma",
        stems=("Derma", "Skin", "Mole", "Lesion"),
        care_settings=("acute-hospital", "primary-care"),
        outcomes=(
            _o(
                "Urgent suspected skin cancer referrals needing a face-to-face appointment",
                "%",
                85,
                100,
                lo=0.2,
                hi=0.5,
            ),
            _o("Time to diagnosis for suspected skin cancer", "days", 14, 30),
            _o(
                "Referrals safely discharged without a hospital appointment",
                "%",
                8,
                20,
                False,
                0.3,
                1.2,
            ),
        ),
        related_tags=("cancer",),
    ),
    ClinicalArea(
        tag="ophthalmology",
        people="people with glaucoma, macular degeneration or diabetic eye disease",
        team="ophthalmologists",
        signal="eye pressure and visual field results",
        therapy="eye-drop adherence support",
        test="OCT scans of the retina",
        risk="avoidable sight loss",
        stems=("Opti", "Eye", "Retina", "Vision"),
        care_settings=("acute-hospital", "community-health-services"),
        outcomes=(
            _o("Follow-up appointments overdue", "patients", 1500, 9000, lo=0.2, hi=0.6),
            _o("Time to treatment for wet AMD", "days", 14, 35),
            _o("Virtual clinic capacity", "patients per week", 80, 300, False, 0.2, 0.8),
        ),
        related_tags=("eye care",),
    ),
    ClinicalArea(
        tag="cancer",
        people="people having treatment for cancer",
        team="oncology teams",
        signal="symptoms and side effects",
        therapy="prehabilitation",
        test="chest X-rays",
        risk="late cancer diagnosis",
        stems=("Onco", "Chemo", "Cura"),
        care_settings=("acute-hospital", "home", "hospice-and-palliative-care"),
        outcomes=(
            _o("Patients told their diagnosis within 28 days", "%", 66, 78, False, 0.04, 0.15),
            _o("Unplanned admissions during chemotherapy", "per 100 patients", 20, 36),
            _o("Calls to the acute oncology helpline", "calls per week", 80, 250),
        ),
    ),
    ClinicalArea(
        tag="maternity",
        people="pregnant women and birthing people",
        team="midwives",
        signal="blood pressure and symptoms in pregnancy",
        therapy="antenatal education",
        test="fetal heart rate traces (CTG)",
        risk="pre-eclampsia",
        stems=("Bump", "Mum", "Birth", "Mater"),
        care_settings=("acute-hospital", "home", "community-health-services"),
        outcomes=(
            _o("Antenatal day unit visits for blood pressure checks", "visits per month", 250, 900),
            _o("Time midwives spend on documentation per shift", "minutes", 90, 160),
            _o("Women with a personalised care and support plan", "%", 50, 75, False),
        ),
        related_tags=("women's health",),
    ),
    ClinicalArea(
        tag="stroke",
        people="people with suspected stroke",
        team="stroke teams",
        signal="neurological observations",
        therapy="stroke rehabilitation exercises",
        test="CT brain scans",
        risk="strokes",
        stems=("Stroke", "Neuro", "Brain"),
        care_settings=("acute-hospital", "ambulance-service", "community-health-services"),
        outcomes=(
            _o("Door-to-needle time for thrombolysis", "minutes", 50, 80),
            _o("Patients transferred for thrombectomy", "%", 1.2, 3.5, False, 0.3, 1.0, 1),
            _o("Patients independent at 90 days", "%", 40, 50, False, 0.04, 0.15),
        ),
        related_tags=("cardiology",),
    ),
    ClinicalArea(
        tag="frailty",
        people="older people living with frailty",
        team="community frailty teams",
        signal="falls, mobility and vital signs",
        therapy="strength and balance exercise",
        test="gait and balance sensor data",
        risk="falls and emergency admissions",
        stems=("Steady", "Falls", "Elder", "Age"),
        care_settings=("care-home", "home", "community-health-services", "social-care"),
        outcomes=(
            _o("Falls needing an ambulance", "falls per month", 40, 140),
            _o("Emergency admissions of people aged 75 and over", "admissions per month", 250, 900),
            _o("Care home residents with a personalised care plan", "%", 40, 70, False),
        ),
        related_tags=("older people", "social care"),
    ),
    ClinicalArea(
        tag="urgent and emergency care",
        people="people needing urgent or emergency care",
        team="emergency department staff",
        signal="observations and early warning scores",
        therapy="",
        test="trauma X-rays",
        risk="avoidable A&E attendances",
        stems=("Triage", "Rapid", "Urgent", "Acute"),
        care_settings=("acute-hospital", "ambulance-service", "primary-care"),
        outcomes=(
            _o("Patients in A&E for under 4 hours", "%", 62, 74, False, 0.04, 0.15),
            _o("Ambulance handover time", "minutes", 30, 65),
            _o("NHS 111 calls closed without an onward referral", "%", 18, 32, False),
        ),
        related_tags=("A&E",),
    ),
    ClinicalArea(
        tag="children and young people",
        people="children and young people",
        team="children's community nursing teams",
        signal="symptoms and growth measurements",
        therapy="guided self-help for anxiety",
        test="paediatric X-rays",
        risk="avoidable paediatric admissions",
        stems=("Kido", "Junior", "Little"),
        care_settings=("acute-hospital", "community-health-services", "mental-health-services"),
        outcomes=(
            _o("Waiting time for a CAMHS assessment", "weeks", 12, 35),
            _o("Paediatric admissions of under 24 hours", "admissions per month", 90, 300),
            _o("Families who rated the service good or very good", "%", 72, 86, False, 0.04, 0.12),
        ),
    ),
)

AREAS_BY_TAG = {area.tag: area for area in CLINICAL_AREAS}

# Operational outcomes any product that saves time or money can move.
OPERATIONAL_OUTCOMES = {
    outcome.metric: outcome
    for outcome in (
        _o("Did not attend rate", "%", 7, 12, decimals=1),
        _o("Staff time spent on administration", "hours per week", 20, 70),
        _o("Letters sent by post", "letters per month", 5000, 40000, lo=0.3, hi=0.8),
        _o("Time to send a discharge summary", "hours", 24, 72),
        _o("Agency staffing spend", "£ per month", 60000, 260000, lo=0.1, hi=0.4),
        _o(
            "Patients removed from the waiting list after validation", "%", 3, 8, False, 0.3, 1.0, 1
        ),
        _o("Time from scan to report", "hours", 24, 96, lo=0.3, hi=0.7),
        _o("Missed or delayed doses", "%", 5, 12, decimals=1),
        _o("Calls to the practice between 8am and 9am", "calls per day", 150, 400),
        _o("Time spent finding information about a patient", "minutes per patient", 12, 40),
        _o("Delayed discharges", "patients per day", 20, 80),
    )
}

# The operational measures each kind of product is bought to move, as well as the
# clinical ones of its area.
CATEGORY_OPERATIONAL_OUTCOMES = {
    "appointments-and-waiting-lists": (
        "Did not attend rate",
        "Patients removed from the waiting list after validation",
        "Staff time spent on administration",
    ),
    "diagnostics-and-imaging": ("Time from scan to report",),
    "electronic-patient-records": (
        "Time to send a discharge summary",
        "Staff time spent on administration",
    ),
    "medicines-management": ("Missed or delayed doses",),
    "online-consultation-and-triage": (
        "Calls to the practice between 8am and 9am",
        "Staff time spent on administration",
    ),
    "patient-engagement-and-communication": ("Letters sent by post", "Did not attend rate"),
    "shared-care-records-and-integration": (
        "Time spent finding information about a patient",
        "Delayed discharges",
    ),
    "social-care-management": ("Staff time spent on administration", "Agency staffing spend"),
    "workforce-and-operations": (
        "Agency staffing spend",
        "Delayed discharges",
        "Staff time spent on administration",
    ),
}

# --- Categories: what the products in each do ----------------------------------------------


@dataclass(frozen=True)
class CategoryProfile:
    tiers: dict  # NICE ESF tier -> weight
    device_share: float  # share of tier C products that are medical devices
    areas: tuple[str, ...]  # clinical-area tags this kind of product serves; () means any
    care_settings: tuple[str, ...]
    deployment: dict
    pricing: dict
    adopters: dict  # organisation kind -> weight
    interop: tuple[str, ...]  # standards codes that matter for this kind of product
    patient_facing: bool
    endings: tuple[str, ...]  # product-name endings
    summaries: tuple[str, ...]
    features: tuple[str, ...]
    cqc_share: float = 0.0  # share that also provide a regulated service themselves
    needs_test: bool = False  # only areas with something to read (a scan, an image)


TRUSTS_AND_ICBS = {"nhs_trust": 6, "icb": 2, "gp_practice": 1}
PRIMARY_CARE = {"gp_practice": 6, "icb": 2, "nhs_trust": 1}
SOCIAL_CARE = {"social_care_provider": 5, "local_authority": 3, "icb": 1}
CLOUD = {"cloud": 8, "hybrid": 2, "on_premise": 1}
APP = {"mobile_app": 7, "cloud": 3}

CATEGORY_PROFILES = {
    "appointments-and-waiting-lists": CategoryProfile(
        tiers={"A": 9, "B": 1},
        device_share=0,
        areas=(),
        care_settings=("acute-hospital", "community-health-services"),
        deployment=CLOUD,
        pricing={"subscription": 4, "per_patient": 2, "per_use": 2},
        adopters=TRUSTS_AND_ICBS,
        interop=("NHS_NUMBER", "HL7V2", "FHIR_UK_CORE", "NHS_LOGIN", "NHS_APP", "OPEN_API"),
        patient_facing=True,
        endings=("Book", "Slot", "Queue", "Wait", "Connect"),
        summaries=(
            "{name} contacts {people} on {area} waiting lists to check they still need their "
            "appointment, and lets them confirm, rebook or cancel by text or through the NHS "
            "App.",
            "{name} sends reminders and two-way messages about {area} appointments, so fewer "
            "slots are wasted and freed slots go to the next person waiting.",
        ),
        features=(
            "Two-way text and NHS App messages, with letters for people who prefer post",
            "Automatic validation of waiting lists against the patient administration system",
            "Freed slots offered to the next clinically suitable patient",
            "Reminders in 14 languages, with easy read versions",
            "Dashboards of missed appointments by clinic, age and deprivation",
        ),
    ),
    "clinical-decision-support": CategoryProfile(
        tiers={"C": 8, "A": 1},
        device_share=0.75,
        areas=(),
        care_settings=("acute-hospital", "primary-care"),
        deployment={"cloud": 6, "hybrid": 3, "on_premise": 1},
        pricing={"subscription": 5, "per_user": 3},
        adopters=TRUSTS_AND_ICBS,
        interop=("SNOMED_CT", "DMD", "NHS_NUMBER", "FHIR_UK_CORE", "GP_CONNECT", "IM1"),
        patient_facing=False,
        endings=("Guide", "Path", "Assist", "Wise", "Decide"),
        summaries=(
            "{name} gives {team} evidence-based guidance at the point of care for {people}, "
            "drawing on NICE guidance and the patient's record.",
            "{name} spots {people} whose care differs from NICE guidance and prompts {team} "
            "with the next best step, inside the clinical system they already use.",
        ),
        features=(
            "Guidance mapped to NICE guidelines and updated when they change",
            "Runs inside the electronic patient record, with no separate login",
            "Prompts explained in plain language, with the evidence behind them",
            "Audit trail of advice shown and actions taken",
            "Local pathways can be added by the trust's clinical safety officer",
        ),
    ),
    "diagnostics-and-imaging": CategoryProfile(
        tiers={"C": 1},
        device_share=0.95,
        areas=(),
        care_settings=("acute-hospital", "community-health-services"),
        deployment={"cloud": 5, "hybrid": 4, "on_premise": 2},
        pricing={"per_use": 5, "subscription": 4},
        adopters={"nhs_trust": 8, "icb": 1},
        interop=("HL7V2", "FHIR_UK_CORE", "SNOMED_CT", "NHS_NUMBER"),
        patient_facing=False,
        endings=("Scope", "Scan", "Read", "View", "AI"),
        summaries=(
            "{name} uses artificial intelligence to analyse {test} and highlight findings for "
            "{team} to review, so the most urgent cases are seen first.",
            "{name} triages {test} automatically, flagging likely abnormal results within "
            "minutes so {team} can act sooner for {people}.",
        ),
        features=(
            "Results returned to the PACS and the patient record within minutes",
            "Heat maps show the clinician which areas drove each finding",
            "Validated on NHS data from more than 20 hospitals",
            "Continuous performance monitoring with monthly reports to the trust",
            "Works with scanners from all major manufacturers",
        ),
        needs_test=True,
    ),
    "digital-therapeutics": CategoryProfile(
        tiers={"C": 7, "B": 3},
        device_share=0.7,
        areas=(
            "mental health",
            "MSK",
            "diabetes",
            "COPD",
            "heart failure",
            "cancer",
            "children and young people",
            "hypertension",
            "dementia",
        ),
        care_settings=("home",),
        deployment=APP,
        pricing={"per_patient": 6, "subscription": 2},
        adopters={"nhs_trust": 4, "icb": 3, "gp_practice": 1},
        interop=("NHS_LOGIN", "NHS_NUMBER", "SNOMED_CT", "FHIR_UK_CORE", "OPEN_API"),
        patient_facing=True,
        endings=("Coach", "Path", "Well", "Steps", "Care"),
        summaries=(
            "{name} is a digital therapy for {people}. It delivers {therapy} through a phone "
            "app, with progress reviewed by {team}.",
            "{name} offers {people} {therapy} on their phone or computer, at any time, with "
            "support from {team} when they need it.",
        ),
        features=(
            "Personalised programme that adapts to each person's progress",
            "Clinician dashboard with outcome measures and risk alerts",
            "Referral by a clinician or self-referral, with NHS login",
            "Available in English, Welsh, Urdu, Polish and Bengali",
            "Works offline and on older phones",
        ),
    ),
    "electronic-patient-records": CategoryProfile(
        tiers={"A": 1},
        device_share=0,
        areas=(
            "urgent and emergency care",
            "maternity",
            "mental health",
            "cancer",
            "children and young people",
            "frailty",
        ),
        care_settings=("acute-hospital", "community-health-services", "mental-health-services"),
        deployment={"cloud": 5, "hybrid": 3, "on_premise": 3},
        pricing={"subscription": 5, "per_user": 3, "bespoke": 3},
        adopters={"nhs_trust": 9, "icb": 1},
        interop=(
            "HL7V2",
            "FHIR_UK_CORE",
            "SNOMED_CT",
            "DMD",
            "NHS_NUMBER",
            "GP_CONNECT",
            "OPEN_API",
        ),
        patient_facing=False,
        endings=("Record", "EPR", "Chart", "Notes", "Clinical"),
        summaries=(
            "{name} is an electronic patient record (EPR) for {area} services, giving {team} "
            "one shared, up-to-date record from referral to discharge.",
            "{name} replaces paper notes in {area} services with a structured electronic "
            "record, so {team} can find what they need and share it safely.",
        ),
        features=(
            "Structured, coded records using SNOMED CT",
            "Electronic prescribing and medicines administration",
            "Works on tablets at the bedside and offline",
            "Discharge summaries sent electronically to GP practices",
            "Role-based access with smartcard sign-in",
        ),
    ),
    "medicines-management": CategoryProfile(
        tiers={"A": 5, "C": 3, "B": 2},
        device_share=0.4,
        areas=(
            "diabetes",
            "heart failure",
            "hypertension",
            "atrial fibrillation",
            "frailty",
            "mental health",
            "asthma",
        ),
        care_settings=("pharmacy", "care-home", "acute-hospital", "primary-care"),
        deployment=CLOUD,
        pricing={"subscription": 5, "per_user": 2, "per_patient": 2},
        adopters={"nhs_trust": 4, "gp_practice": 3, "social_care_provider": 2, "icb": 1},
        interop=("DMD", "SNOMED_CT", "NHS_NUMBER", "FHIR_UK_CORE", "IM1", "GP_CONNECT"),
        patient_facing=False,
        endings=("Rx", "Meds", "Dose", "Script", "Pharm"),
        summaries=(
            "{name} supports safe prescribing, reconciliation and administration of medicines "
            "for {people}, with alerts for interactions and missed doses.",
            "{name} helps pharmacists and {team} review medicines for {people}, finding those "
            "at highest risk of harm from their prescriptions.",
        ),
        features=(
            "Medicines coded with dm+d throughout",
            "Electronic medicines administration record for care homes",
            "Structured medication reviews with templates",
            "Alerts for high-risk drug combinations",
            "Reports of missed and delayed doses by ward or home",
        ),
    ),
    "online-consultation-and-triage": CategoryProfile(
        tiers={"A": 4, "C": 4, "B": 2},
        device_share=0.35,
        areas=(
            "urgent and emergency care",
            "mental health",
            "dermatology",
            "MSK",
            "asthma",
            "children and young people",
            "hypertension",
        ),
        care_settings=("primary-care", "acute-hospital"),
        deployment={"cloud": 8, "mobile_app": 2},
        pricing={"subscription": 5, "per_patient": 3, "per_use": 2},
        adopters=PRIMARY_CARE,
        interop=("NHS_LOGIN", "NHS_APP", "IM1", "GP_CONNECT", "NHS_NUMBER", "SNOMED_CT"),
        patient_facing=True,
        endings=("Consult", "Triage", "Ask", "Call", "Connect"),
        summaries=(
            "{name} lets patients contact their practice online about {area}. Structured "
            "questions route each request to the right person on the right day.",
            "{name} offers video and online consultations for {people}, so {team} can assess "
            "and advise without a face-to-face visit when that is safe.",
        ),
        features=(
            "Online requests triaged by clinicians with red-flag prompts",
            "Video, messaging and telephone in one workflow",
            "Requests written into the GP record automatically",
            "Opening hours and capacity limits set by the practice",
            "Accessible by NHS login and the NHS App",
        ),
        cqc_share=0.3,
    ),
    "patient-engagement-and-communication": CategoryProfile(
        tiers={"A": 5, "B": 5},
        device_share=0,
        areas=(),
        care_settings=("acute-hospital", "primary-care", "community-health-services"),
        deployment={"cloud": 7, "mobile_app": 3},
        pricing={"per_use": 4, "subscription": 4, "free": 1},
        adopters=TRUSTS_AND_ICBS,
        interop=("NHS_APP", "NHS_LOGIN", "NHS_NUMBER", "HL7V2", "FHIR_UK_CORE"),
        patient_facing=True,
        endings=("Message", "Portal", "Talk", "Inform", "Link"),
        summaries=(
            "{name} sends {people} their letters, results and appointment details digitally, "
            "through the NHS App or by text, with post as a fallback.",
            "{name} is a patient portal where {people} can see their care plans, message "
            "{team} and complete questionnaires before appointments.",
        ),
        features=(
            "Digital letters with read receipts and automatic print fallback",
            "Questionnaires completed before appointments and written to the record",
            "Messages in plain English, reviewed against NHS content style",
            "Integrates with the NHS App messaging hub",
            "Carers can act on a patient's behalf with consent",
        ),
    ),
    "population-health-and-analytics": CategoryProfile(
        tiers={"A": 1},
        device_share=0,
        areas=(
            "diabetes",
            "hypertension",
            "frailty",
            "COPD",
            "heart failure",
            "cancer",
            "atrial fibrillation",
            "mental health",
        ),
        care_settings=("primary-care", "community-health-services"),
        deployment={"cloud": 8, "hybrid": 2},
        pricing={"subscription": 6, "bespoke": 3},
        adopters={"icb": 6, "gp_practice": 3, "nhs_trust": 2, "local_authority": 1},
        interop=("NHS_NUMBER", "SNOMED_CT", "FHIR_UK_CORE", "IM1", "OPEN_API"),
        patient_facing=False,
        endings=("Insight", "Lens", "Metrics", "Signal", "Atlas"),
        summaries=(
            "{name} brings together primary, community and hospital data to find {people} at "
            "highest risk of {risk}, so {team} can offer support early.",
            "{name} gives integrated care boards a live view of {area} across their population, "
            "with risk stratification and inequalities broken down by neighbourhood.",
        ),
        features=(
            "Risk scores refreshed daily from pseudonymised linked data",
            "Case finding lists for practices and primary care networks",
            "Inequalities broken down by deprivation, ethnicity and age",
            "Runs in the ICB's secure data environment",
            "Benchmarking against similar systems",
        ),
    ),
    "remote-monitoring-and-virtual-wards": CategoryProfile(
        tiers={"C": 6, "B": 4},
        device_share=0.6,
        areas=(
            "COPD",
            "heart failure",
            "diabetes",
            "hypertension",
            "maternity",
            "frailty",
            "cancer",
            "asthma",
            "atrial fibrillation",
            "children and young people",
        ),
        care_settings=("home", "community-health-services", "care-home"),
        deployment={"cloud": 5, "device": 3, "mobile_app": 2},
        pricing={"per_patient": 6, "subscription": 3},
        adopters={"nhs_trust": 6, "icb": 3, "gp_practice": 1},
        interop=("NHS_NUMBER", "FHIR_UK_CORE", "SNOMED_CT", "HL7V2", "NHS_LOGIN", "OPEN_API"),
        patient_facing=True,
        endings=("Watch", "Monitor", "Track", "Ward", "Sense"),
        summaries=(
            "{name} lets {team} monitor {people} at home. Patients record {signal} on a tablet "
            "or phone, and the platform flags anyone who is deteriorating.",
            "A virtual ward platform for {people}: {signal} are reviewed daily by {team}, who "
            "can step care up or down without a hospital bed.",
        ),
        features=(
            "Bluetooth devices that send readings automatically",
            "Alerts prioritised by early warning score",
            "Clinical dashboard for virtual ward teams, with task lists",
            "Loan kits tracked and cleaned between patients",
            "Works for people without a smartphone, by phone call or text",
        ),
        cqc_share=0.25,
    ),
    "self-management": CategoryProfile(
        tiers={"B": 8, "C": 2},
        device_share=0.3,
        areas=(
            "diabetes",
            "COPD",
            "asthma",
            "heart failure",
            "hypertension",
            "MSK",
            "mental health",
            "maternity",
            "cancer",
            "dementia",
            "children and young people",
        ),
        care_settings=("home",),
        deployment={"mobile_app": 8, "cloud": 2},
        pricing={"free": 3, "per_patient": 4, "subscription": 2},
        adopters={"icb": 4, "nhs_trust": 3, "gp_practice": 3},
        interop=("NHS_LOGIN", "NHS_APP", "NHS_NUMBER", "OPEN_API"),
        patient_facing=True,
        endings=("Pal", "Mate", "Buddy", "Life", "Me"),
        summaries=(
            "{name} is an app that helps {people} manage their condition day to day, with "
            "{signal} tracking, reminders and advice written by {team}.",
            "{name} helps {people} build the knowledge and confidence to manage their own "
            "health, through short lessons on {therapy} and goal setting.",
        ),
        features=(
            "Personal care plan agreed with the patient's clinician",
            "Reminders for medicines, appointments and readings",
            "Short videos and articles, reviewed by NHS clinicians",
            "Data shared with the care team only with the person's consent",
            "Free for patients, with sign-in by NHS login",
        ),
    ),
    "shared-care-records-and-integration": CategoryProfile(
        tiers={"A": 1},
        device_share=0,
        areas=(
            "frailty",
            "urgent and emergency care",
            "cancer",
            "dementia",
            "mental health",
            "children and young people",
        ),
        care_settings=(
            "acute-hospital",
            "primary-care",
            "social-care",
            "community-health-services",
        ),
        deployment={"cloud": 7, "hybrid": 3},
        pricing={"subscription": 6, "bespoke": 4},
        adopters={"icb": 6, "nhs_trust": 4, "local_authority": 2},
        interop=(
            "FHIR_UK_CORE",
            "HL7V2",
            "GP_CONNECT",
            "NHS_NUMBER",
            "SNOMED_CT",
            "IM1",
            "OPEN_API",
        ),
        patient_facing=False,
        endings=("Share", "Bridge", "Link", "Exchange", "Record"),
        summaries=(
            "{name} is a shared care record that gives hospital, GP, community and social care "
            "staff the same view of {people}, with care plans that follow the person.",
            "{name} connects the systems used across an integrated care system, so {team} see "
            "the information that matters for {people} without logging in elsewhere.",
        ),
        features=(
            "Views from GP, hospital, community, mental health and social care records",
            "Shared care plans and end-of-life preferences",
            "FHIR APIs for other systems to build on",
            "Access audited and tied to a legitimate relationship",
            "Launches in context from the EPR",
        ),
    ),
    "social-care-management": CategoryProfile(
        tiers={"A": 7, "B": 3},
        device_share=0,
        areas=("frailty", "dementia", "children and young people"),
        care_settings=("social-care", "care-home", "home"),
        deployment={"cloud": 6, "mobile_app": 4},
        pricing={"per_user": 4, "subscription": 5},
        adopters=SOCIAL_CARE,
        interop=("NHS_NUMBER", "GP_CONNECT", "FHIR_UK_CORE", "OPEN_API"),
        patient_facing=False,
        endings=("Care", "Plan", "Roster", "Visit", "Home"),
        summaries=(
            "{name} is a digital care record and care planning system for providers supporting "
            "{people}, with handheld devices for care staff on every visit.",
            "{name} helps care homes and home care providers plan, record and evidence care for "
            "{people}, and share it with GPs and community teams.",
        ),
        features=(
            "Digital care plans that meet the CQC's expectations",
            "Visit scheduling and electronic call monitoring",
            "Family portal with the person's consent",
            "Medication records and alerts",
            "Meets the Digital Social Care Records minimum standards",
        ),
    ),
    "workforce-and-operations": CategoryProfile(
        tiers={"A": 1},
        device_share=0,
        areas=(
            "urgent and emergency care",
            "maternity",
            "mental health",
            "stroke",
            "frailty",
            "cancer",
        ),
        care_settings=("acute-hospital", "community-health-services", "ambulance-service"),
        deployment={"cloud": 9, "hybrid": 1},
        pricing={"subscription": 6, "per_user": 3},
        adopters={"nhs_trust": 9, "icb": 1},
        interop=("NHS_NUMBER", "HL7V2", "FHIR_UK_CORE", "OPEN_API"),
        patient_facing=False,
        endings=("Flow", "Roster", "Shift", "Beds", "Ops"),
        summaries=(
            "{name} gives {team} a live view of beds, staffing and patient flow, so {area} "
            "services can plan discharges and avoid delays.",
            "{name} matches staff to shifts across {area} services, cutting agency spend and "
            "helping {team} keep safe staffing levels.",
        ),
        features=(
            "Live bed state from the patient administration system",
            "Staff bank and rostering in one place",
            "Predicted demand by hour and day",
            "Mobile app for staff to pick up shifts",
            "Board-ready reports on flow and staffing",
        ),
    ),
}

INTEROPERABILITY_CODES = (
    "FHIR_UK_CORE",
    "HL7V2",
    "GP_CONNECT",
    "IM1",
    "NHS_LOGIN",
    "NHS_APP",
    "SNOMED_CT",
    "DMD",
    "NHS_NUMBER",
    "OPEN_API",
)

# Used for any category the scaling team adds that has no profile of its own.
GENERIC_PROFILE = CategoryProfile(
    tiers={"A": 4, "B": 3, "C": 3},
    device_share=0.4,
    areas=(),
    care_settings=(),
    deployment=CLOUD,
    pricing={"subscription": 5, "per_user": 2, "per_patient": 2},
    adopters=TRUSTS_AND_ICBS,
    interop=("NHS_NUMBER", "FHIR_UK_CORE", "SNOMED_CT", "OPEN_API"),
    patient_facing=False,
    endings=("Hub", "Point", "Link", "Flow", "Care"),
    summaries=(
        "{name} helps {team} care for {people}, saving staff time and giving patients a "
        "better experience.",
    ),
    features=(
        "Cloud-hosted with 99.9% availability",
        "Role-based access with NHS smartcard sign-in",
        "Training and implementation support included",
    ),
)

COMMON_ENDINGS = (
    "Track",
    "Sense",
    "Link",
    "Flow",
    "Path",
    "View",
    "Hub",
    "Guide",
    "Watch",
    "Scope",
    "Assist",
    "Connect",
    "Check",
    "Point",
    "Log",
    "Space",
    "ly",
    "io",
)
GENERIC_STEMS = ("Care", "Clini", "Health", "Medi", "Nova", "Vita", "Well", "Patient", "Nurse")
NAME_QUALIFIERS = (
    "Home",
    "Pro",
    "Plus",
    "Clinic",
    "Ward",
    "Remote",
    "Connect",
    "Insight",
    "Community",
    "360",
    "Virtual",
    "Enterprise",
    "Direct",
    "One",
    "Go",
    "Express",
    "Manager",
    "Portal",
    "Hub",
    "Live",
)

# --- Places and organisations ---------------------------------------------------------------

REGION_PLACES = {
    "east_of_england": (
        "Cambridge",
        "Norwich",
        "Ipswich",
        "Peterborough",
        "Luton",
        "Bedford",
        "Chelmsford",
        "Colchester",
        "Southend",
        "Watford",
        "Stevenage",
        "King's Lynn",
        "Great Yarmouth",
        "Basildon",
        "Harlow",
        "Bury St Edmunds",
        "Milton Keynes",
    ),
    "london": (
        "Barnet",
        "Camden",
        "Croydon",
        "Ealing",
        "Enfield",
        "Greenwich",
        "Hackney",
        "Haringey",
        "Harrow",
        "Hillingdon",
        "Islington",
        "Kingston",
        "Lambeth",
        "Lewisham",
        "Newham",
        "Southwark",
        "Tower Hamlets",
        "Waltham Forest",
        "Wandsworth",
        "Westminster",
    ),
    "midlands": (
        "Birmingham",
        "Coventry",
        "Wolverhampton",
        "Walsall",
        "Dudley",
        "Nottingham",
        "Derby",
        "Leicester",
        "Lincoln",
        "Northampton",
        "Stoke-on-Trent",
        "Shrewsbury",
        "Worcester",
        "Hereford",
        "Kettering",
        "Burton",
        "Telford",
    ),
    "north_east_and_yorkshire": (
        "Newcastle",
        "Sunderland",
        "Gateshead",
        "Durham",
        "Middlesbrough",
        "Leeds",
        "Bradford",
        "Sheffield",
        "York",
        "Hull",
        "Doncaster",
        "Barnsley",
        "Rotherham",
        "Harrogate",
        "Wakefield",
        "Carlisle",
        "Scarborough",
    ),
    "north_west": (
        "Manchester",
        "Liverpool",
        "Salford",
        "Bolton",
        "Wigan",
        "Stockport",
        "Oldham",
        "Preston",
        "Blackpool",
        "Lancaster",
        "Warrington",
        "Chester",
        "Wirral",
        "St Helens",
        "Blackburn",
        "Burnley",
        "Southport",
    ),
    "south_east": (
        "Brighton",
        "Portsmouth",
        "Southampton",
        "Oxford",
        "Reading",
        "Canterbury",
        "Maidstone",
        "Guildford",
        "Crawley",
        "Basingstoke",
        "Winchester",
        "Slough",
        "High Wycombe",
        "Eastbourne",
        "Hastings",
        "Ashford",
        "Chichester",
        "Tunbridge Wells",
    ),
    "south_west": (
        "Bristol",
        "Plymouth",
        "Exeter",
        "Truro",
        "Taunton",
        "Bath",
        "Swindon",
        "Salisbury",
        "Gloucester",
        "Cheltenham",
        "Bournemouth",
        "Poole",
        "Dorchester",
        "Torbay",
        "Yeovil",
        "Barnstaple",
    ),
}

REGION_COUNTIES = {
    "east_of_england": ("Cambridgeshire", "Norfolk", "Suffolk", "Essex", "Hertfordshire"),
    "london": (),
    "midlands": (
        "Derbyshire",
        "Leicestershire",
        "Lincolnshire",
        "Nottinghamshire",
        "Staffordshire",
        "Warwickshire",
        "Worcestershire",
    ),
    "north_east_and_yorkshire": ("North Yorkshire", "Durham", "East Riding of Yorkshire"),
    "north_west": ("Lancashire", "Cheshire East", "Cheshire West and Chester", "Cumberland"),
    "south_east": (
        "Kent",
        "Surrey",
        "Hampshire",
        "East Sussex",
        "West Sussex",
        "Oxfordshire",
        "Buckinghamshire",
    ),
    "south_west": ("Devon", "Cornwall", "Somerset", "Dorset", "Gloucestershire", "Wiltshire"),
}

ICBS = {
    "north_east_and_yorkshire": (
        "North East and North Cumbria",
        "Humber and North Yorkshire",
        "West Yorkshire",
        "South Yorkshire",
    ),
    "north_west": (
        "Cheshire and Merseyside",
        "Greater Manchester",
        "Lancashire and South Cumbria",
    ),
    "midlands": (
        "Birmingham and Solihull",
        "Black Country",
        "Coventry and Warwickshire",
        "Herefordshire and Worcestershire",
        "Shropshire, Telford and Wrekin",
        "Staffordshire and Stoke-on-Trent",
        "Derby and Derbyshire",
        "Leicester, Leicestershire and Rutland",
        "Lincolnshire",
        "Northamptonshire",
        "Nottingham and Nottinghamshire",
    ),
    "east_of_england": (
        "Bedfordshire, Luton and Milton Keynes",
        "Cambridgeshire and Peterborough",
        "Hertfordshire and West Essex",
        "Mid and South Essex",
        "Norfolk and Waveney",
        "Suffolk and North East Essex",
    ),
    "london": (
        "North Central London",
        "North East London",
        "North West London",
        "South East London",
        "South West London",
    ),
    "south_east": (
        "Buckinghamshire, Oxfordshire and Berkshire West",
        "Frimley",
        "Hampshire and Isle of Wight",
        "Kent and Medway",
        "Surrey Heartlands",
        "Sussex",
    ),
    "south_west": (
        "Bath and North East Somerset, Swindon and Wiltshire",
        "Bristol, North Somerset and South Gloucestershire",
        "Cornwall and the Isles of Scilly",
        "Devon",
        "Dorset",
        "Gloucestershire",
        "Somerset",
    ),
}

AMBULANCE_TRUSTS = {
    "east_of_england": ("East of England Ambulance Service NHS Trust",),
    "london": ("London Ambulance Service NHS Trust",),
    "midlands": (
        "West Midlands Ambulance Service University NHS Foundation Trust",
        "East Midlands Ambulance Service NHS Trust",
    ),
    "north_east_and_yorkshire": (
        "Yorkshire Ambulance Service NHS Trust",
        "North East Ambulance Service NHS Foundation Trust",
    ),
    "north_west": ("North West Ambulance Service NHS Trust",),
    "south_east": (
        "South East Coast Ambulance Service NHS Foundation Trust",
        "South Central Ambulance Service NHS Foundation Trust",
    ),
    "south_west": ("South Western Ambulance Service NHS Foundation Trust",),
}

# (name pattern, the services it runs). {place} and {other} are places in the region.
TRUST_PATTERNS = (
    ("{place} Teaching Hospitals NHS Foundation Trust", "acute"),
    ("University Hospitals of {place} NHS Trust", "acute"),
    ("{place} Hospitals NHS Foundation Trust", "acute"),
    ("{place} and {other} Hospitals NHS Trust", "acute"),
    ("{place} Community Healthcare NHS Trust", "community"),
    ("{place} Community Health Services NHS Trust", "community"),
    ("{place} and {other} Mental Health NHS Foundation Trust", "mental_health"),
    ("{place} Partnership NHS Foundation Trust", "mental_health"),
    ("{place} Children's Hospital NHS Foundation Trust", "acute"),
    ("{place} Integrated Care NHS Foundation Trust", "community"),
)

# The letter real GP practice codes in each region most often start with.
GP_CODE_LETTERS = {
    "east_of_england": "D",
    "london": "F",
    "midlands": "M",
    "north_east_and_yorkshire": "B",
    "north_west": "P",
    "south_east": "H",
    "south_west": "L",
}

LOCAL_NAMES = (
    "Parkside",
    "Riverside",
    "Oakwood",
    "Church Street",
    "High Street",
    "Station Road",
    "The Green",
    "Millbrook",
    "Beechwood",
    "Elm Tree",
    "Castle",
    "Market Square",
    "Northgate",
    "Southgate",
    "Westgate",
    "Abbey",
    "Bridge Street",
    "Hillview",
    "Meadowbank",
    "Orchard",
    "Priory",
    "Rosewood",
    "St Mary's",
    "St John's",
    "Valley",
    "Woodlands",
    "Lakeside",
    "Cornerstone",
    "Fairfield",
    "Greenbank",
    "Heathfield",
    "Kingsway",
    "Lime Tree",
    "Manor",
    "Oaklands",
    "Pinfold",
    "Queensway",
    "Springfield",
    "Townhead",
    "Victoria",
    "Willow Bank",
    "Ashgrove",
    "Birchwood",
    "The Cedars",
    "Moorside",
    "Newbridge",
    "Old School",
    "Thornbury",
)
GP_SUFFIXES = (
    "Surgery",
    "Medical Centre",
    "Health Centre",
    "Medical Practice",
    "Family Practice",
    "Group Practice",
)
CARE_PROVIDER_WORDS = (
    "Kindred",
    "Hearthside",
    "Brightwater",
    "Evergreen",
    "Harmony",
    "Silverlea",
    "Meadowview",
    "Amberley",
    "Heritage",
    "Larchfield",
    "Primrose",
    "Wellspring",
    "Clover",
    "Haven",
)
CARE_PROVIDER_PATTERNS = (
    "{local} House Care Home",
    "{local} Lodge Nursing Home",
    "{word} Home Care {place}",
    "{place} Supported Living",
    "{word} Care Services Ltd",
    "{word} Court Residential Home",
)

SUPPLIER_BRANDS = (
    "Acorn",
    "Albion",
    "Amber",
    "Apex",
    "Arbor",
    "Aspen",
    "Aurora",
    "Axiom",
    "Beacon",
    "Birch",
    "Bluebell",
    "Bramble",
    "Brightwell",
    "Cairn",
    "Caldera",
    "Cedar",
    "Clearview",
    "Cobalt",
    "Compass",
    "Copper",
    "Crest",
    "Delta",
    "Dovetail",
    "Elder",
    "Ember",
    "Everly",
    "Fable",
    "Fenwick",
    "Fern",
    "Foxglove",
    "Granite",
    "Hawthorn",
    "Heron",
    "Horizon",
    "Indigo",
    "Iris",
    "Juniper",
    "Kestrel",
    "Kite",
    "Lark",
    "Linden",
    "Lumen",
    "Lyric",
    "Maple",
    "Marlow",
    "Meridian",
    "Mosaic",
    "Nimbus",
    "Northstar",
    "Oak",
    "Onyx",
    "Orbit",
    "Osprey",
    "Pennine",
    "Pioneer",
    "Quartz",
    "Quill",
    "Radiant",
    "Rowan",
    "Sage",
    "Sapphire",
    "Severn",
    "Solent",
    "Sorrel",
    "Spruce",
    "Summit",
    "Tamar",
    "Teal",
    "Thistle",
    "Tideway",
    "Trent",
    "Vantage",
    "Verity",
    "Willow",
    "Wren",
    "Yarrow",
    "Zephyr",
)
SUPPLIER_TAILS = (
    "",
    "",
    "",
    "bay",
    "bridge",
    "field",
    "gate",
    "hill",
    "point",
    "stone",
    "well",
    "wood",
    "park",
    "vale",
    "ridge",
    "brook",
    "lane",
    "cross",
)
SUPPLIER_TRADES = (
    "Health",
    "Digital Health",
    "Medical",
    "Analytics",
    "Care Systems",
    "Health Technologies",
    "Clinical Systems",
    "Software",
    "Diagnostics",
    "Labs",
    "Therapeutics",
    "Health Informatics",
    "MedTech",
    "Connected Care",
    "Digital",
    "Healthcare Solutions",
    "Data",
    "Imaging",
    "Telehealth",
    "AI",
)
COMPANY_FORMS = ("Ltd", "Ltd", "Ltd", "Limited", "Limited", "UK Ltd", "Group Ltd", "plc")

FIRST_NAMES = (
    "Aisha",
    "Alex",
    "Amara",
    "Amir",
    "Ana",
    "Ben",
    "Bethan",
    "Callum",
    "Chloe",
    "Chidi",
    "Daniel",
    "Deepa",
    "Eilidh",
    "Emma",
    "Fatima",
    "Femi",
    "Gareth",
    "Grace",
    "Hannah",
    "Harpreet",
    "Imran",
    "Isla",
    "James",
    "Jasmine",
    "Kate",
    "Kwame",
    "Laura",
    "Liam",
    "Mei",
    "Mohammed",
    "Nadia",
    "Niamh",
    "Oliver",
    "Olu",
    "Priya",
    "Rachel",
    "Rhys",
    "Rosa",
    "Sam",
    "Sanjay",
    "Sarah",
    "Siobhan",
    "Tom",
    "Tomasz",
    "Uzma",
    "Wei",
    "Yusuf",
    "Zainab",
    "Zoe",
)
SURNAMES = (
    "Adeyemi",
    "Ahmed",
    "Ali",
    "Allen",
    "Baker",
    "Begum",
    "Bennett",
    "Campbell",
    "Chen",
    "Clarke",
    "Davies",
    "Edwards",
    "Evans",
    "Fraser",
    "Green",
    "Hall",
    "Hughes",
    "Hussain",
    "Jackson",
    "Jones",
    "Kaur",
    "Khan",
    "Kowalski",
    "Lewis",
    "Mensah",
    "Mitchell",
    "Morgan",
    "Murphy",
    "Nguyen",
    "Novak",
    "O'Brien",
    "Okafor",
    "Patel",
    "Price",
    "Roberts",
    "Robinson",
    "Shah",
    "Singh",
    "Smith",
    "Taylor",
    "Thomas",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
)
# The people who would answer a peer's call about a product, by the kind of organisation
# they work for: a practice has no commissioners, a care home no CCIO.
CONTACT_ROLES = {
    "nhs_trust": (
        "Chief clinical information officer",
        "Chief nursing information officer",
        "Digital transformation lead",
        "Director of digital services",
        "Clinical lead for {area}",
        "Programme manager, virtual wards",
        "Lead pharmacist",
    ),
    "icb": (
        "Associate director of transformation",
        "Digital transformation lead",
        "Head of primary care commissioning",
        "Programme manager, virtual wards",
        "Clinical lead for {area}",
    ),
    "gp_practice": (
        "Practice manager",
        "GP partner and clinical lead for {area}",
        "Lead practice nurse",
        "Clinical pharmacist",
    ),
    "local_authority": (
        "Head of adult social care commissioning",
        "Assistive technology service manager",
        "Principal occupational therapist",
    ),
    "social_care_provider": (
        "Registered manager",
        "Deputy manager",
        "Digital lead",
    ),
}

# --- Evidence -------------------------------------------------------------------------------

# Evidence type -> weight, by NICE ESF tier.
EVIDENCE_WEIGHTS = {
    "A": {
        "service_evaluation": 5,
        "economic": 4,
        "audit": 4,
        "real_world": 4,
        "qualitative": 2,
        "observational": 1,
        "non_randomised": 1,
        "rct": 0.3,
    },
    "B": {
        "real_world": 5,
        "observational": 4,
        "qualitative": 3,
        "service_evaluation": 3,
        "economic": 2,
        "non_randomised": 2,
        "rct": 1,
        "audit": 1,
    },
    "C": {
        "rct": 4,
        "observational": 4,
        "non_randomised": 3,
        "real_world": 4,
        "economic": 3,
        "service_evaluation": 2,
        "qualitative": 1,
        "audit": 1,
    },
}

EVIDENCE_TITLES = {
    "rct": "{name} versus usual care for {people}: a randomised controlled trial",
    "non_randomised": "A controlled before-and-after study of {name} in {area} services",
    "observational": "Outcomes of {people} using {name}: a prospective cohort study",
    "real_world": "Real-world evaluation of {name} at {where}",
    "economic": "Budget impact of {name} for an integrated care board",
    "service_evaluation": "Service evaluation of {name} at {where}",
    "qualitative": "Patient and staff experience of {name}: a qualitative study",
    "audit": "Audit of {area} care before and after introducing {name}",
}

# Where demo evidence is published: hosts under .example (RFC 2606), which resolve nowhere,
# so no demo citation opens a real paper or the real DOI resolver.
EVIDENCE_HOSTS = (
    "journal-of-digital-care.example",
    "nhs-evaluation-reports.example",
    "primary-care-informatics.example",
    "health-economics-review.example",
)

# Study sites, by the kind of organisation that hosts them: (their name in the plural, most
# people one site of that kind puts into one study).
STUDY_SITES = {
    "nhs_trust": ("NHS trusts", 1_500),
    "icb": ("integrated care boards", 3_000),
    "gp_practice": ("GP practices", 250),
    "local_authority": ("councils", 600),
    "social_care_provider": ("care providers", 60),
}

# The study the listing leads with, by NICE ESF tier: the kind of evidence a product of that
# tier is expected to show (a tier C product leads with an intervention study).
LEAD_EVIDENCE = {
    "A": {"service_evaluation": 4, "economic": 3, "real_world": 3, "audit": 2},
    "B": {"real_world": 4, "observational": 3, "service_evaluation": 3, "non_randomised": 1},
    "C": {"rct": 3, "non_randomised": 2},
}

# Standards a demo listing may show as lapsed on purpose (see docs/demo-data.md), in order of
# preference: ones whose lapse turns a passed DTAC "lapsed", never one a publishing rule needs.
LAPSE_CANDIDATES = ("PENTEST", "CE", "ISO27001", "CE_PLUS")
LAPSE_NOTE = (
    "Demo data: left to lapse on purpose, to show how the registry marks an expired "
    "certificate and the DTAC state that rests on it."
)

# --- Case studies and guides ----------------------------------------------------------------

CASE_STUDY_TITLES = (
    "How {org} cut {metric_lower} with {product}",
    "{product} at {org}: {area} care closer to home",
    "{org} frees up clinical time with {product}",
    "Scaling {product} across {org}",
    "{area_cap}: what changed when {org} adopted {product}",
)
CHALLENGES = (
    "Demand for {area} services had grown by a fifth in three years while the workforce had "
    "not. {team_cap} spent much of each day on routine follow-up that did not need a "
    "specialist.",
    "Waiting times for {area} care were among the longest in the region, and people from the "
    "most deprived neighbourhoods were the least likely to be seen on time.",
    "{people_cap} were often admitted to hospital when a problem could have been caught "
    "earlier at home. Staff had no easy way to see who was getting worse.",
    "Paper-based processes meant information about {people} was held in several places, and "
    "{team} spent hours each week chasing it.",
)
SOLUTIONS = (
    "{org} chose {product} after a DTAC review and a mini-competition on a national "
    "framework. It was rolled out in three phases, starting with one team.",
    "A clinical lead and a project manager ran a 12-week pilot of {product}, then extended it "
    "across the organisation once the safety case had been signed off.",
    "{product} was integrated with the electronic patient record so {team} did not need a "
    "second login, and patients were enrolled at their next routine contact.",
)
SOLUTION_STEPS = (
    "Clinical safety case (DCB0160) completed with the supplier's DCB0129 documentation",
    "Data protection impact assessment agreed with the information governance team",
    "Two-hour training sessions for every member of the team",
    "Digital champions on each site for the first month",
    "Patients offered a phone-based alternative if they preferred not to go online",
    "Weekly review of alerts and outcomes by the clinical lead",
)
LESSONS = (
    "Involve frontline staff in designing the workflow from the start.",
    "Agree what success looks like, and how it will be measured, before go-live.",
    "Budget for backfill so staff can attend training.",
    "Plan for people who cannot or do not want to use digital tools.",
    "Start small, fix the workflow, then scale quickly.",
    "Get information governance and clinical safety involved early; they are not a formality.",
    "Share results with the board every month to keep momentum.",
    "Check the integration with the patient record works before patients are enrolled.",
)
FUNDING_SOURCES = (
    "the integrated care board's transformation fund",
    "a national digital funding programme",
    "the trust's own capital budget",
    "a local innovation grant, then recurrent funding",
)
OUTCOME_PERIODS = ("3 months", "6 months", "12 months", "the first year", "18 months")


@dataclass(frozen=True)
class Guide:
    title: str
    summary: str
    sections: tuple[tuple[str, str], ...]  # (heading, paragraph)
    tags: tuple[str, ...]
    categories: tuple[str, ...] = ()  # category slugs of related products
    featured: bool = False
    steps: tuple[str, ...] = field(default=())


GUIDES = (
    Guide(
        title="Choosing a virtual ward platform",
        summary="What to ask suppliers, which standards to check, and how to plan a safe "
        "roll-out of remote monitoring for a virtual ward.",
        sections=(
            (
                "Start with the clinical model",
                "Decide which patients the ward is for, how often they are reviewed and who "
                "responds to alerts, before you compare platforms.",
            ),
            (
                "Check the proof",
                "Look for real-world evaluations in similar services, a current DTAC, and the "
                "clinical safety documentation behind the product.",
            ),
        ),
        steps=(
            "Agree the pathway with clinicians",
            "Shortlist products that meet DTAC",
            "Check integration with your EPR",
            "Plan for patients without a smartphone",
        ),
        tags=("virtual wards", "remote monitoring"),
        categories=("remote-monitoring-and-virtual-wards",),
        featured=True,
    ),
    Guide(
        title="Getting clinical safety right: DCB0129 and DCB0160",
        summary="How manufacturers and deploying organisations share responsibility for "
        "clinical risk, and what a good safety case looks like.",
        sections=(
            (
                "Two standards, one conversation",
                "The supplier's DCB0129 safety case is the starting point for your own DCB0160 "
                "work. Ask for the hazard log early.",
            ),
            (
                "Name your clinical safety officer",
                "Every deployment needs a named clinical safety officer with the right "
                "training, and time in their job plan to do it.",
            ),
        ),
        tags=("clinical safety",),
        categories=("clinical-decision-support", "electronic-patient-records"),
        featured=True,
    ),
    Guide(
        title="Reducing missed appointments with digital reminders",
        summary="Practical steps to cut did-not-attend rates, with two-way reminders, easy "
        "rebooking and attention to health inequalities.",
        sections=(
            (
                "Make it easy to cancel",
                "Most missed appointments are not forgotten but unwanted. Let people cancel or "
                "rebook with one reply.",
            ),
            (
                "Look at who is missing out",
                "Break down missed appointments by age, deprivation and ethnicity, and offer "
                "other ways to confirm.",
            ),
        ),
        tags=("outpatients", "DNA"),
        categories=("appointments-and-waiting-lists", "patient-engagement-and-communication"),
        featured=True,
    ),
    Guide(
        title="Rolling out digital therapies in NHS Talking Therapies",
        summary="How services have added NICE-recommended digital therapies to their offer "
        "without losing sight of clinical oversight.",
        sections=(
            (
                "Follow the NICE early value assessments",
                "Check which digital therapies NICE has recommended, and the evidence it asked "
                "suppliers to generate.",
            ),
            (
                "Keep a clinician in the loop",
                "Each person should have a named practitioner who reviews progress and "
                "outcome measures.",
            ),
        ),
        tags=("mental health", "CBT"),
        categories=("digital-therapeutics",),
    ),
    Guide(
        title="Writing a business case for a digital product",
        summary="The evidence, costs and benefits a board will expect to see, and how to use "
        "registry data and peer case studies to make the case.",
        sections=(
            (
                "Use the evidence that exists",
                "Cite the product's evaluations and case studies from similar organisations, "
                "with their measured outcomes.",
            ),
            (
                "Count the whole cost",
                "Include integration, training, backfill, clinical safety and decommissioning, "
                "not only licences.",
            ),
        ),
        tags=("procurement", "business case"),
    ),
    Guide(
        title="Buying accessible digital services: WCAG 2.2 AA",
        summary="What the accessibility regulations require of products you buy, and how to "
        "check a supplier's accessibility statement.",
        sections=(
            (
                "It is a legal duty",
                "Public sector bodies must make sure the services they offer meet WCAG 2.2 AA, "
                "including those bought from suppliers.",
            ),
            (
                "Test with real users",
                "Automated checks find about a third of problems. Ask for evidence of testing "
                "with disabled people.",
            ),
        ),
        tags=("accessibility",),
        categories=("self-management", "online-consultation-and-triage"),
    ),
    Guide(
        title="Spreading a proven product across an integrated care system",
        summary="How ICBs have taken a product that worked in one place and adopted it "
        "across a whole system, and what slowed them down.",
        sections=(
            (
                "Find your peers",
                "Organisations that already use a product are the best source of advice. Use "
                "the registry's adopter lists to find them.",
            ),
            (
                "Buy once, deploy many times",
                "A system-wide contract, one DTAC and a shared safety case save months for each "
                "organisation that follows.",
            ),
        ),
        tags=("scaling", "integrated care systems"),
        categories=("shared-care-records-and-integration", "population-health-and-analytics"),
    ),
)
