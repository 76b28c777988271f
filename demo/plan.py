"""A deterministic plan of demo data, as plain specs, with no database access.

Every random choice comes from a `random.Random` seeded from the demo seed and what is
being made ("7:product:42"), never from the global generator or the clock, so the same
seed, reference date and starting state always give the same specs. Product number k
draws from its own stream, which keeps products independent of one another and of the
batch size. Dates are offsets back from the reference date (`today`): a demo loaded on
any day looks freshly maintained, and certificates whose validity ran out before that
date are expired.
"""

import datetime
import html
import random
import re
import string
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.utils.text import slugify

from proof.rules import DTAC_REQUIREMENTS, DTAC_SECTION_REQUIREMENTS
from registry.choices import Region

from . import vocabulary as words

SUMMARY_MAX_LENGTH = 300
ALNUM = string.digits + string.ascii_uppercase

#: Every demo ODS code starts with this, so none is the code of a real organisation: real ODS
#: codes never do (docs/demo-data.md).
DEMO_ODS_PREFIX = "DEMO"
#: Demo suppliers' Companies House numbers lie in 99000000-99999999, far above any number
#: Companies House has issued (about 16 million by 2026).
DEMO_COMPANY_NUMBERS = (99_000_000, 99_999_999)

# --- Specs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StandardRef:
    code: str
    expires: bool
    validity_months: int | None
    part_of: str | None = None


@dataclass(frozen=True)
class Catalogue:
    """The reference data the migrations load, which the scaling team may since have edited."""

    categories: tuple[str, ...]  # slugs
    care_settings: tuple[str, ...]  # slugs
    standards: tuple[StandardRef, ...]


@dataclass(frozen=True)
class OrganisationRef:
    """What the plan needs to know about an organisation that adopts products."""

    kind: str
    region: str
    name: str
    size_band: str = ""

    @property
    def service(self):
        return trust_service(self.name) if self.kind == "nhs_trust" else ""


@dataclass
class OrganisationSpec:
    name: str
    kind: str
    region: str = ""
    ods_code: str | None = None
    companies_house_number: str | None = None
    website: str = ""
    size_band: str = ""

    @property
    def ref(self):
        return OrganisationRef(self.kind, self.region, self.name, self.size_band)


@dataclass
class PublishingSpec:
    """The Wagtail bookkeeping every published page needs."""

    translation_key: uuid.UUID
    first_published_at: datetime.datetime
    last_published_at: datetime.datetime


@dataclass
class EvidenceSpec:
    evidence_type: str
    title: str
    year: int
    summary: str
    outcomes: str
    link: str


@dataclass
class ComplianceSpec:
    standard: str  # code
    status: str
    assessed_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    evidence_url: str = ""
    notes: str = ""


@dataclass
class AdoptionSpec:
    organisation: int  # index into the plan's adopting organisations
    since: datetime.date
    scale: str
    confirmed: bool


@dataclass
class OutcomeSpec:
    metric: str
    before: Decimal
    after: Decimal
    unit: str
    period: str


@dataclass
class CaseStudySpec:
    title: str
    slug: str
    organisation: int  # index into the plan's adopting organisations
    summary: str
    challenge: str
    solution: str
    costs: str
    lessons_learnt: str
    contact_name: str
    contact_role: str
    contact_email: str
    published_on: datetime.date
    outcomes: list[OutcomeSpec]
    tags: list[str]
    publishing: PublishingSpec


@dataclass
class ProductSpec:
    number: int
    title: str
    slug: str
    supplier: int  # index into this run's suppliers
    summary: str
    description: list[tuple[str, str]]  # (block id, rich text HTML) for "text" blocks
    category: str
    care_settings: list[str]
    clinical_areas: list[str]
    esf_tier: str
    device_class: str
    conformity_marking: str
    pricing_model: str
    deployment_model: str
    website: str
    last_reviewed_on: datetime.date
    evidence: list[EvidenceSpec]
    compliance: list[ComplianceSpec]
    adoptions: list[AdoptionSpec]
    case_study: CaseStudySpec | None
    publishing: PublishingSpec


@dataclass
class GuideSpec:
    title: str
    slug: str
    summary: str
    body: list[tuple[str, str]]
    featured: bool
    tags: list[str]
    categories: list[str]  # related products are chosen from these categories
    related_count: int
    publishing: PublishingSpec


@dataclass
class DemoPlan:
    organisations: list[OrganisationSpec]
    suppliers: list[OrganisationSpec]
    products: list[ProductSpec]
    guides: list[GuideSpec] = field(default_factory=list)


# --- Small helpers --------------------------------------------------------------------------


def trust_service(name):
    """What an NHS trust mostly does, read from its name as people do."""
    if "Ambulance" in name:
        return "ambulance"
    if "Mental Health" in name or "Partnership" in name:
        return "mental_health"
    if "Community" in name or "Integrated Care" in name:
        return "community"
    return "acute"


def pick(rng, weights):
    """One key of `weights`, chosen in proportion to its value."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def seeded_uuid(rng):
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def days_ago(today, days):
    return today - datetime.timedelta(days=days)


def timestamp(rng, day):
    """A working-hours moment on `day`, in UTC."""
    moment = datetime.time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59))
    return datetime.datetime.combine(day, moment, tzinfo=datetime.UTC)


def fit(text, limit=SUMMARY_MAX_LENGTH):
    """Shorten at a word boundary so `text` fits in `limit` characters."""
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def capitalise(text):
    return text[:1].upper() + text[1:]


def lower_first(text):
    """'Average HbA1c' -> 'average HbA1c', but 'GP appointments' stays as it is."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def paragraphs(*texts):
    return "".join(f"<p>{html.escape(text, quote=False)}</p>" for text in texts)


def bullet_list(items, ordered=False):
    tag = "ol" if ordered else "ul"
    inner = "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items)
    return f"<{tag}>{inner}</{tag}>"


def domain_label(name):
    """The part of a web address an organisation would register, such as "acornhealth"."""
    name = re.sub(r"\b(Ltd|Limited|plc|UK|Group|NHS|Trust|Foundation)\b", "", name)
    label = re.sub(r"[^a-z0-9]", "", name.lower())
    if len(label) > 24:  # long names go by their initials, as NHS bodies' addresses do
        label = "".join(
            w[0] for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in ("and", "of", "the")
        ).lower()
    return label or "organisation"


def organisation_domain(name, kind):
    """NHS bodies sit under nhs, councils under gov, care providers under their own name; all
    under .example, which resolves nowhere."""
    suffix = {"local_authority": "gov.example", "social_care_provider": "example"}
    return f"{domain_label(name)}.{suffix.get(kind, 'nhs.example')}"


def supplier_domain(brand, trade):
    """'Teallane', 'Healthcare Solutions' -> teallanehealthcare, as companies name sites."""
    return re.sub(r"[^a-z0-9]", "", (brand + trade.split()[0]).lower())


def format_figure(value, unit):
    if unit == "%":
        return f"{value:,}%"
    if unit.startswith("£"):
        return f"£{value:,} {unit[1:].strip()}".strip()
    return f"{value:,} {unit}"


def unique_code(rng, make, taken, attempts=10_000):
    for _ in range(attempts):
        code = make()
        if code not in taken:
            taken.add(code)
            return code
    raise RuntimeError("Ran out of demo codes; too many organisations for this code format.")


def unique_slug(title, taken, max_length=80):
    base = slugify(title)[:max_length].strip("-") or "page"
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base[: max_length - len(str(suffix)) - 1]}-{suffix}"
    taken.add(slug)
    return slug


# --- Organisations --------------------------------------------------------------------------


def pool_sizes(n_products):
    """How many NHS and care organisations a demo of this size needs, per region."""

    def clamp(value, low, high):
        return max(low, min(high, value))

    return {
        "nhs_trust": clamp(n_products // 70, 5, 30),
        "gp_practice": clamp(n_products // 14, 3, 900),
        "local_authority": clamp(n_products // 300, 2, 20),
        "social_care_provider": clamp(n_products // 40, 2, 430),
    }


#: How far ahead each NHS England region is in taking up digital products: adoptions lean to
#: the first regions, so the dashboard shows some regions clearly ahead and white space in
#: others.
REGION_UPTAKE = {
    "london": 6,
    "north_west": 5,
    "north_east_and_yorkshire": 4,
    "midlands": 3,
    "south_east": 2,
    "east_of_england": 1,
    "south_west": 0.6,
}
#: Organisations by size band: most are small or medium.
SIZE_SHARES = {"small": 4, "medium": 4, "large": 2}
#: Products made for one size of organisation (a large trust's enterprise system, a small
#: practice's app), or for any: most adopters are of the size the product suits.
PRODUCT_SIZES = {"small": 3, "medium": 3, "large": 3, "": 1}
#: The first products of a run after the first are clearly ready to spread: passed DTAC,
#: current standards, a case study with measured outcomes, two adopters in one region.
SHOWCASE_POSITIONS = range(1, 4)


def supplier_count(n_products):
    return 0 if n_products <= 0 else max(3, min(30_000, round(n_products / 3.5)))


# Standards whose row is drawn around the product's maturity (DemoPlanner._status): the chance
# the product has no row at all, the chances of met, partially met and in progress, and the
# note a row gets when it has the status given.
DRAWN_ROWS = {
    "DCB0129": (0, (0.88, 0.04, 0.08), None),
    "DCB0160": (
        0.3,
        (0.6, 0.1, 0.2),
        ("met", "Deployment safety case template provided to adopting organisations."),
    ),
    "CE": (0, (0.88, 0.0, 0.06), None),
    "CE_PLUS": (0.35, (0.7, 0.0, 0.2), None),
    "PENTEST": (
        0,
        (0.82, 0.1, 0.0),
        ("partially_met", "Two medium-risk findings; remediation due next quarter."),
    ),
    "ISO27001": (0.4, (0.6, 0.0, 0.3), None),
}


class DemoPlanner:
    """Builds the specs of one `seed_demo` run.

    `first_number` numbers the run's products after those already in the database, and the
    `taken_*` sets hold slugs and codes already used, so a second run adds to the first
    without clashes.
    """

    def __init__(
        self,
        seed,
        today,
        catalogue,
        *,
        first_number=0,
        taken_product_slugs=(),
        taken_product_titles=(),
        taken_product_summaries=(),
        taken_case_study_slugs=(),
        taken_guide_slugs=(),
        taken_ods_codes=(),
        taken_companies_house_numbers=(),
    ):
        self.seed = seed
        self.today = today
        self.catalogue = catalogue
        self.first_number = first_number
        self.product_slugs = set(taken_product_slugs)
        self.product_titles = set(taken_product_titles)
        self.product_summaries = set(taken_product_summaries)
        self.case_study_slugs = set(taken_case_study_slugs)
        self.guide_slugs = set(taken_guide_slugs)
        self.ods_codes = set(taken_ods_codes)
        self.companies_house_numbers = set(taken_companies_house_numbers)
        self.standards = {s.code: s for s in catalogue.standards}
        self.profiles = {
            slug: words.CATEGORY_PROFILES.get(slug, words.GENERIC_PROFILE)
            for slug in catalogue.categories
        }

    def rng(self, *parts):
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    # -- organisations --

    def nhs_organisations(self, n_products):
        """Integrated care boards, trusts, GP practices, councils and care providers in all
        seven regions."""
        rng = self.rng("organisations")
        sizes = pool_sizes(n_products)
        made = []
        for region in words.REGION_PLACES:
            made += self._icbs(rng, region)
            made += self._trusts(rng, region, sizes["nhs_trust"])
            made += self._gp_practices(rng, region, sizes["gp_practice"])
            made += self._local_authorities(rng, region, sizes["local_authority"])
            made += self._care_providers(rng, region, sizes["social_care_provider"])
        return made

    def _nhs(self, rng, name, kind, region, code_maker):
        ods = unique_code(rng, lambda: DEMO_ODS_PREFIX + code_maker(), self.ods_codes)
        return OrganisationSpec(
            name=name,
            kind=kind,
            region=region,
            ods_code=ods,
            website=f"https://www.{organisation_domain(name, kind)}",
            # From a stream of its own, so the sizes leave every other choice as it was.
            size_band=pick(self.rng("size", ods), SIZE_SHARES),
        )

    def _icbs(self, rng, region):
        def code():
            return "Q" + rng.choice(string.ascii_uppercase) + rng.choice(ALNUM)

        return [
            self._nhs(rng, f"NHS {area} Integrated Care Board", "icb", region, code)
            for area in words.ICBS[region]
        ]

    def _trusts(self, rng, region, count):
        def code():
            return "R" + rng.choice(ALNUM) + rng.choice(ALNUM)

        places = words.REGION_PLACES[region]
        names = list(words.AMBULANCE_TRUSTS[region])
        seen = set(names)
        while len(names) < count:
            pattern, _ = rng.choice(words.TRUST_PATTERNS)
            place, other = rng.sample(places, 2)
            name = pattern.format(place=place, other=other)
            if name not in seen:
                seen.add(name)
                names.append(name)
        return [self._nhs(rng, name, "nhs_trust", region, code) for name in names]

    def _gp_practices(self, rng, region, count):
        letter = words.GP_CODE_LETTERS[region]

        def code():
            return f"{letter}{rng.randint(81000, 99999)}"  # 10 characters with the prefix

        places = words.REGION_PLACES[region]
        made = []
        for _ in range(count):
            name = f"{rng.choice(words.LOCAL_NAMES)} {rng.choice(words.GP_SUFFIXES)}"
            if rng.random() < 0.5:
                name += f", {rng.choice(places)}"
            made.append(self._nhs(rng, name, "gp_practice", region, code))
        return made

    def _local_authorities(self, rng, region, count):
        places = list(words.REGION_PLACES[region])
        counties = list(words.REGION_COUNTIES[region])
        rng.shuffle(places)
        rng.shuffle(counties)
        made = []
        for position in range(count):
            if region == "london":
                name, prefix = f"London Borough of {places[position % len(places)]}", "E09"
            elif position % 3 == 0 and counties:
                name, prefix = f"{counties[position // 3 % len(counties)]} County Council", "E10"
            else:
                name, prefix = f"{places[position % len(places)]} City Council", "E06"

            def code(prefix=prefix):
                return f"{prefix}{rng.randint(1, 999):03d}"

            made.append(self._nhs(rng, name, "local_authority", region, code))
        return made

    def _care_providers(self, rng, region, count):
        def code():
            return "V" + "".join(rng.choice(ALNUM) for _ in range(4))

        places = words.REGION_PLACES[region]
        made = []
        for _ in range(count):
            name = rng.choice(words.CARE_PROVIDER_PATTERNS).format(
                local=rng.choice(words.LOCAL_NAMES).removeprefix("The "),
                word=rng.choice(words.CARE_PROVIDER_WORDS),
                place=rng.choice(places),
            )
            made.append(self._nhs(rng, name, "social_care_provider", region, code))
        return made

    def suppliers(self, count):
        rng = self.rng("suppliers", self.first_number)
        names = set()
        made = []
        for _ in range(count):
            for _attempt in range(20):
                brand = rng.choice(words.SUPPLIER_BRANDS) + rng.choice(words.SUPPLIER_TAILS)
                trade = rng.choice(words.SUPPLIER_TRADES)
                name = f"{brand} {trade} {rng.choice(words.COMPANY_FORMS)}"
                if name not in names:
                    break
            names.add(name)
            number = unique_code(
                rng, lambda: self._companies_house_number(rng), self.companies_house_numbers
            )
            made.append(
                OrganisationSpec(
                    name=name,
                    kind="supplier",
                    companies_house_number=number,
                    website=f"https://www.{supplier_domain(brand, trade)}.example",
                )
            )
        return made

    @staticmethod
    def _companies_house_number(rng):
        return f"{rng.randint(*DEMO_COMPANY_NUMBERS):08d}"

    # -- products --

    def products(self, count, suppliers, organisations):
        """Yield `count` product specs. `suppliers` are this run's suppliers; `organisations`
        are the NHS and care organisations products can be adopted by."""
        if count and not suppliers:
            raise ValueError("Products need at least one supplier.")
        if not self.catalogue.categories or not self.catalogue.care_settings:
            raise ValueError("The catalogue has no categories or care settings.")
        adopters = AdopterIndex(organisations)
        for position in range(count):
            number = self.first_number + position
            yield ProductBuilder(self, number, position, suppliers, organisations, adopters).build()

    def guides(self):
        rng = self.rng("guides")
        made = []
        for guide in words.GUIDES:
            slug = slugify(guide.title)
            if slug in self.guide_slugs:
                continue
            self.guide_slugs.add(slug)
            body = [
                (str(seeded_uuid(rng)), f"<h2>{html.escape(heading)}</h2>" + paragraphs(text))
                for heading, text in guide.sections
            ]
            if guide.steps:
                body.append(
                    (
                        str(seeded_uuid(rng)),
                        "<h2>Steps</h2>" + bullet_list(guide.steps, ordered=True),
                    )
                )
            first = days_ago(self.today, rng.randint(30, 700))
            made.append(
                GuideSpec(
                    title=guide.title,
                    slug=slug,
                    summary=fit(guide.summary),
                    body=body,
                    featured=guide.featured,
                    tags=list(guide.tags),
                    categories=[c for c in guide.categories if c in self.profiles],
                    related_count=rng.randint(3, 5),
                    publishing=self.publishing(rng, first),
                )
            )
        return made

    def publishing(self, rng, first_day):
        """First published on `first_day`, last published on or before yesterday."""
        yesterday = days_ago(self.today, 1)
        first_day = min(first_day, yesterday)
        last_day = first_day + datetime.timedelta(days=rng.randint(0, (yesterday - first_day).days))
        first = timestamp(rng, first_day)
        last = max(first, timestamp(rng, last_day))
        return PublishingSpec(seeded_uuid(rng), first, last)


class AdopterIndex:
    """Organisations grouped by the kind (and, for trusts, service) products look for, and
    within that by region and size band, which a product's adopters lean to."""

    def __init__(self, organisations: Sequence[OrganisationRef]):
        self.by_kind = {}
        self.trusts_by_service = {}
        self.by_place = {}
        for position, org in enumerate(organisations):
            self.by_kind.setdefault(org.kind, []).append(position)
            group = org.kind
            if org.kind == "nhs_trust":
                self.trusts_by_service.setdefault(org.service, []).append(position)
                group = ("nhs_trust", org.service)
            self.by_place.setdefault((group, org.region, org.size_band), []).append(position)
            self.by_place.setdefault((group, org.region, ""), []).append(position)

    def choose(self, rng, kind, care_settings, region="", size_band=""):
        group = kind
        if kind == "nhs_trust" and self.trusts_by_service:
            weights = {"acute": 2, "community": 1}
            if "mental-health-services" in care_settings:
                weights["mental_health"] = 4
            if "ambulance-service" in care_settings:
                weights["ambulance"] = 2
            if "community-health-services" in care_settings or "home" in care_settings:
                weights["community"] = 3
            weights = {k: v for k, v in weights.items() if k in self.trusts_by_service}
            if weights:
                service = pick(rng, weights)
                group = ("nhs_trust", service)
                fallback = self.trusts_by_service[service]
            else:
                fallback = self.by_kind.get(kind, [])
        else:
            fallback = self.by_kind.get(kind, [])
        for key in [(group, region, size_band), (group, region, "")]:
            if region and self.by_place.get(key):
                return rng.choice(self.by_place[key])
        candidates = fallback or [i for group in self.by_kind.values() for i in group]
        return rng.choice(candidates) if candidates else None


class ProductBuilder:
    """Everything about one product, drawn from the product's own random stream."""

    def __init__(self, planner, number, position, suppliers, organisations, adopters):
        self.planner = planner
        self.today = planner.today
        self.number = number
        self.position = position  # within this run: the first few cover every case
        self.showcase = position in SHOWCASE_POSITIONS
        self.suppliers = suppliers
        self.organisations = organisations
        self.adopters = adopters
        self.rng = planner.rng("product", number)

    def build(self):
        rng, planner = self.rng, self.planner
        self.category = rng.choice(planner.catalogue.categories)
        self.profile = planner.profiles[self.category]
        self.area = self._choose_area()
        self.tier = pick(rng, self.profile.tiers)
        self.device_class, self.marking = self._regulation()
        self.title = self._name()
        self.slug = unique_slug(self.title, planner.product_slugs)
        self.supplier_index = self._supplier()
        supplier = self.suppliers[self.supplier_index]
        self.care_settings = self._care_settings()
        self.maturity = rng.random()
        self.pricing_model = pick(rng, self.profile.pricing)
        self.deployment_model = pick(rng, self.profile.deployment)
        context = self._text_context()
        self.summary = self._summary(context)
        compliance = self._compliance()
        adoptions = self._adoptions()
        evidence = self._evidence(context, adoptions)
        first_day = days_ago(self.today, rng.randint(30, 1500))
        publishing = planner.publishing(rng, first_day)
        tags = [self.area.tag]
        if self.area.related_tags and rng.random() < 0.5:
            tags.append(rng.choice(self.area.related_tags))
        return ProductSpec(
            number=self.number,
            title=self.title,
            slug=self.slug,
            supplier=self.supplier_index,
            summary=self.summary,
            description=self._description(context, compliance),
            category=self.category,
            care_settings=self.care_settings,
            clinical_areas=tags,
            esf_tier=self.tier,
            device_class=self.device_class,
            conformity_marking=self.marking,
            pricing_model=self.pricing_model,
            deployment_model=self.deployment_model,
            website=f"{supplier.website}/products/{self.slug}",
            last_reviewed_on=days_ago(self.today, rng.randint(1, 400)),
            evidence=evidence,
            compliance=compliance,
            adoptions=adoptions,
            case_study=self._case_study(adoptions, context),
            publishing=publishing,
        )

    # -- identity --

    def _choose_area(self):
        areas = [words.AREAS_BY_TAG[t] for t in self.profile.areas] or list(words.CLINICAL_AREAS)
        if self.profile.needs_test:
            areas = [a for a in areas if a.test] or areas
        return self.rng.choice(areas)

    def _regulation(self):
        rng = self.rng
        if self.tier == "C" and rng.random() < self.profile.device_share:
            device_class = pick(rng, {"I": 3, "IIa": 5, "IIb": 2, "III": 0.2})
        elif self.tier == "B" and rng.random() < self.profile.device_share * 0.3:
            device_class = "I"
        else:
            return "none", "none"
        return device_class, pick(rng, {"ukca": 4, "ce": 2, "ukca_and_ce": 4})

    def _name(self):
        """A name no other product has: two products called the same would read as one."""
        rng, taken = self.rng, self.planner.product_titles
        for attempt in range(200):
            stem = rng.choice(self.area.stems if rng.random() < 0.75 else words.GENERIC_STEMS)
            endings = self.profile.endings if rng.random() < 0.6 else words.COMMON_ENDINGS
            name = stem + rng.choice(endings)
            if rng.random() < 0.55 or attempt >= 20:
                name += " " + rng.choice(words.NAME_QUALIFIERS)
            if attempt >= 100:
                name += f" {rng.randint(2, 99)}"
            if name not in taken:
                break
        taken.add(name)
        return name

    def _summary(self, context):
        """The category's summaries name the product, so with distinct names they differ;
        this also keeps them apart when shortening would cut the name off."""
        rng, taken = self.rng, self.planner.product_summaries
        templates = list(self.profile.summaries)
        rng.shuffle(templates)
        candidates = [fit(template.format(**context)) for template in templates]
        candidates.append(fit(f"{self.title}: {candidates[0]}"))
        summary = next((text for text in candidates if text not in taken), candidates[-1])
        taken.add(summary)
        return summary

    def _supplier(self):
        count = len(self.suppliers)
        if self.position < count:
            return self.position  # every supplier has at least one product
        return min(count - 1, int(count * self.rng.random() ** 1.7))

    def _care_settings(self):
        """Where it is used: preferably somewhere typical of both the category and the area,
        plus up to two more typical of either."""
        rng = self.rng
        available = self.planner.catalogue.care_settings
        typical = [s for s in self.profile.care_settings if s in available]
        also = [s for s in self.area.care_settings if s in available and s not in typical]
        both = [s for s in typical if s in self.area.care_settings]
        chosen = [rng.choice(both or typical or also or list(available))]
        extra = [s for s in typical + also if s not in chosen]
        chosen += rng.sample(extra, min(len(extra), rng.choice((0, 1, 1, 2))))
        return sorted(chosen)

    def _text_context(self):
        area = self.area
        return {
            "name": self.title,
            "people": area.people,
            "team": area.team,
            "signal": area.signal,
            "therapy": area.therapy or "structured self-care",
            "test": area.test or "clinical images",
            "risk": area.risk,
            "area": area.tag,
        }

    def _description(self, context, compliance):
        rng, profile = self.rng, self.profile
        other = [s for s in profile.summaries if fit(s.format(**context)) != self.summary]
        intro = (rng.choice(other) if other else profile.summaries[0]).format(**context)
        features = rng.sample(profile.features, min(len(profile.features), rng.randint(3, 4)))
        settings = ", ".join(s.replace("-", " ") for s in self.care_settings)
        what = (
            "<h2>What it does</h2>"
            + paragraphs(intro, f"It is used in these care settings: {settings}.")
            + bullet_list(features)
        )
        interop = [
            row.standard
            for row in compliance
            if row.status == "met"
            and row.standard
            in ("FHIR_UK_CORE", "HL7V2", "GP_CONNECT", "IM1", "NHS_LOGIN", "NHS_APP")
        ]
        deployment = {
            "cloud": "It is hosted in UK data centres as software as a service, so there is "
            "nothing to install.",
            "on_premise": "It is installed on the organisation's own servers.",
            "hybrid": "It runs in the cloud, with a small local component for integration.",
            "mobile_app": "Patients download the app from the App Store or Google Play.",
            "device": "Patients are given a kit of connected devices, set up before they go home.",
        }
        how = [deployment[self.deployment_model]]
        if interop:
            labels = {
                "FHIR_UK_CORE": "FHIR UK Core",
                "HL7V2": "HL7 version 2",
                "GP_CONNECT": "GP Connect",
                "IM1": "IM1",
                "NHS_LOGIN": "NHS login",
                "NHS_APP": "the NHS App",
            }
            how.append("It connects with " + join_words([labels[c] for c in interop]) + ".")
        live_within = rng.choice(("6 weeks", "3 months", "4 months", "6 months"))
        how.append(
            f"Most organisations are live within {live_within}, with training and clinical "
            "safety support from the supplier."
        )
        return [
            (str(seeded_uuid(rng)), what),
            (str(seeded_uuid(rng)), "<h2>Getting started</h2>" + paragraphs(" ".join(how))),
        ]

    # -- standards compliance --

    def _compliance(self):
        """Rows that pass the proof rules by construction (docs/proof-rules.md): the standards
        a passed DTAC rests on, the data protection standards every demo product needs (each
        handles patient data), and a device's registration and marking are met and current.
        Every other row may be anything. Only a deliberate lapse (`_lapse`) is expired."""
        rng = self.rng
        rows = []
        dtac = self._dtac_outcome()
        required = self._required_standards(dtac)
        trust_centre = f"{self.suppliers[self.supplier_index].website}/trust-centre"
        for standard in self.planner.catalogue.standards:
            row = self._compliance_row(standard, dtac)
            if standard.code in required and (row is None or row.status != "met"):
                row = ComplianceSpec(standard=standard.code, status="met")
            if row is None:
                continue
            if row.status in ("met", "partially_met") and standard.expires:
                row.assessed_on, row.expires_on = self._current_dates(standard, dtac)
            elif row.status in ("met", "partially_met", "not_met") and row.assessed_on is None:
                row.assessed_on = days_ago(self.today, rng.randint(10, 1000))
            if row.status in ("met", "partially_met") and rng.random() < 0.4:
                row.evidence_url = f"{trust_centre}/{slugify(standard.code)}"
            rows.append(row)
        if self.position == 0 or (rng.random() < 0.04 and not self.showcase):
            self._lapse(rows)
        return rows

    def _required_standards(self, dtac):
        """The codes this product must have met and current for its listing to hold."""
        groups = list(DTAC_SECTION_REQUIREMENTS["DTAC_C2"])  # every demo product: patient data
        if self.device_class != "none":
            groups += [("MHRA",), ("UKCA_CE",)]
        if dtac["outcome"] == "passed":
            groups += DTAC_REQUIREMENTS
        available = self.planner.standards
        return {next((c for c in group if c in available), group[0]) for group in groups}

    def _lapse(self, rows):
        """One certificate left to expire on purpose, noted as such on the row: the demo shows
        an expired standard, and a DTAC that reads "lapsed" because of it."""
        rng = self.rng
        expiring = {
            row.standard: row
            for row in rows
            if row.status == "met" and self.planner.standards[row.standard].expires
        }
        code = next((c for c in words.LAPSE_CANDIDATES if c in expiring), None)
        if code is None:
            return
        row = expiring[code]
        months = self.planner.standards[code].validity_months or 12
        row.expires_on = days_ago(self.today, rng.randint(1, 120))
        row.assessed_on = row.expires_on - relativedelta(months=months)
        row.notes = words.LAPSE_NOTE

    def _dtac_outcome(self):
        rng = self.rng
        roll = rng.random()
        outcome = (
            "passed"
            if roll < 0.72 + 0.2 * self.maturity or self.showcase
            else ("in_progress" if roll < 0.9 else "not_passed")
        )
        return {
            "outcome": outcome,
            "age": rng.randint(20, 330),
            "failed": rng.sample(
                ["DTAC_C1", "DTAC_C2", "DTAC_C3", "DTAC_C4", "DTAC_D"], rng.randint(1, 2)
            ),
        }

    def _current_dates(self, standard, dtac):
        """(assessed on, expires on) for a certificate still current today: the DTAC and its
        sections from the day of the assessment, other certificates from their own day."""
        rng = self.rng
        months = standard.validity_months or 12
        in_dtac = standard.code == "DTAC" or standard.part_of == "DTAC"
        span = (self.today + relativedelta(months=months) - self.today).days
        age = min(dtac["age"], span - 30) if in_dtac else rng.randint(1, max(1, span - 30))
        assessed = days_ago(self.today, max(1, age))
        return assessed, assessed + relativedelta(months=months)

    def _status(self, met=0.8, partial=0.1, progress=0.05):
        """A status drawn around this product's maturity."""
        roll = self.rng.random() * (1.15 - 0.3 * self.maturity)
        if roll < met:
            return "met"
        if roll < met + partial:
            return "partially_met"
        if roll < met + partial + progress:
            return "in_progress"
        return "not_met"

    def _compliance_row(self, standard, dtac):
        rng, code = self.rng, standard.code
        is_device = self.device_class != "none"
        row = ComplianceSpec(standard=code, status="met")
        if code == "DTAC":
            row.status = {"passed": "met", "in_progress": "in_progress", "not_passed": "not_met"}[
                dtac["outcome"]
            ]
            if row.status == "not_met":
                row.assessed_on = days_ago(self.today, dtac["age"])
                row.notes = (
                    "Not passed. Sections to resubmit: "
                    + ", ".join(c.removeprefix("DTAC_") for c in sorted(dtac["failed"]))
                    + "."
                )
        elif standard.part_of == "DTAC":
            if dtac["outcome"] == "in_progress":
                row.status = "met" if rng.random() < 0.5 else "in_progress"
            elif dtac["outcome"] == "not_passed" and code in dtac["failed"]:
                row.status = rng.choice(("not_met", "partially_met"))
                if row.status == "partially_met":
                    row.notes = "Resubmission due within 3 months."
                else:
                    row.assessed_on = days_ago(self.today, dtac["age"])
        elif code in DRAWN_ROWS:
            absent, odds, note = DRAWN_ROWS[code]
            if absent and rng.random() < absent:
                return None
            row.status = self._status(*odds)
            if note and row.status == note[0]:
                row.notes = note[1]
        elif code == "CSO":
            row.status = "met" if rng.random() < 0.95 else "in_progress"
        elif code == "MHRA":
            row.status = "met" if is_device else "not_applicable"
            if is_device:
                row.notes = f"Registered with the MHRA as a Class {self.device_class} device."
        elif code == "UKCA_CE":
            row.status = "met" if is_device else "not_applicable"
            if is_device:
                row.notes = {
                    "ukca": "UKCA marked.",
                    "ce": "CE marked under the EU MDR.",
                    "ukca_and_ce": "UKCA and CE marked.",
                }[self.marking]
        elif code == "CQC":
            regulated = rng.random() < self.profile.cqc_share
            row.status = "met" if regulated else "not_applicable"
        elif code == "ICO":
            row.notes = "Registered with the ICO as a data controller."
        elif code in ("DPO", "DPIA", "DSPT"):
            pass  # every demo product handles patient data: see _required_standards
        elif code in words.INTEROPERABILITY_CODES:
            return self._interoperability_row(row)
        elif code == "WCAG22AA":
            row.status = self._status(0.6, 0.35, 0.0)
            if row.status == "partially_met":
                issues = rng.randint(2, 9)
                fixed_by = self.today + relativedelta(months=rng.randint(2, 6))
                row.notes = (
                    f"{issues} issues found in an independent audit; "
                    f"fixes planned by {fixed_by:%B %Y}."
                )
        elif code == "NHS_SERVICE_STANDARD":
            if not self.profile.patient_facing:
                row.status = "not_applicable"
            else:
                row.status = self._status(0.5, 0.3, 0.1)
        elif code == "ACCESSIBILITY_STATEMENT":
            row.status = "met" if rng.random() < 0.85 else "not_met"
        else:
            # A standard the scaling team added since: a plain spread of statuses.
            if rng.random() < 0.3:
                return None
            row.status = self._status(0.6, 0.15, 0.1)
        return row

    def _interoperability_row(self, row):
        rng = self.rng
        if row.standard in self.profile.interop:
            row.status = self._status(0.65, 0.12, 0.1)
            if row.status == "partially_met":
                row.notes = "Read access live; write-back in development."
            return row
        if rng.random() < 0.5:
            return None
        row.status = "not_applicable"
        return row

    # -- evidence --

    def _evidence(self, context, adoptions):
        """The lead study is of a kind the product's ESF tier calls for; the others follow
        the tier's usual spread, and the first products of a run cover every type."""
        rng = self.rng
        count = {"A": rng.randint(1, 3), "B": rng.randint(1, 4), "C": rng.randint(2, 6)}[self.tier]
        types = [pick(rng, words.LEAD_EVIDENCE[self.tier])]
        types += [pick(rng, words.EVIDENCE_WEIGHTS[self.tier]) for _ in range(count - 1)]
        if self.position < len(words.EVIDENCE_TITLES):
            covering = list(words.EVIDENCE_TITLES)[self.position]
            if covering not in types:
                types.append(covering)
        return [self._evidence_item(t, context, adoptions) for t in types]

    def _outcome_pool(self):
        operational = [
            words.OPERATIONAL_OUTCOMES[metric]
            for metric in words.CATEGORY_OPERATIONAL_OUTCOMES.get(self.category, ())
        ]
        if self.tier == "A" and operational:
            return (*operational, *operational, *self.area.outcomes)
        return (*self.area.outcomes, *operational)

    def _measured(self, outcome):
        """A before-and-after pair for `outcome` that improves on the starting value."""
        rng = self.rng
        before = rng.uniform(outcome.low, outcome.high)
        change = rng.uniform(outcome.min_change, outcome.max_change)
        after = before * (1 - change) if outcome.lower_is_better else before * (1 + change)
        if outcome.unit == "%":
            after = min(after, 99.5)
        quantum = Decimal(1).scaleb(-outcome.decimals)
        return (Decimal(str(before)).quantize(quantum), Decimal(str(after)).quantize(quantum))

    def _study_sites(self, adoptions):
        """Where a study ran: some of the organisations shown using the product, of its most
        common kind, so a study never spans more sites than the product has adopters. With
        no adopters yet, one trial site. Returns (where, most people in a study)."""
        rng = self.rng
        adoptions = [a for a in adoptions if a.confirmed]  # those the listing shows
        if not adoptions:
            # One trial site for all of the product's studies, in a region of its own.
            region = Region(self.planner.rng("trial-site", self.number).choice(Region.values))
            return f"an NHS trust in {region.label}", words.STUDY_SITES["nhs_trust"][1]
        kinds = Counter(self.organisations[a.organisation].kind for a in adoptions)
        kind = max(kinds, key=lambda k: (kinds[k], k))
        hosts = [a for a in adoptions if self.organisations[a.organisation].kind == kind]
        sites = rng.randint(1, len(hosts))
        first = self.organisations[rng.choice(hosts).organisation]
        many, per_site = words.STUDY_SITES[kind]
        where = first.name if sites == 1 else f"{sites} {many}"
        return where, per_site * sites

    def _evidence_item(self, evidence_type, context, adoptions):
        rng, today = self.rng, self.today
        # A study at adopters' sites ran after the first of them took the product up.
        first_adopted = min((a.since.year for a in adoptions if a.confirmed), default=0)
        year = rng.randint(max(2015, today.year - 8, first_adopted), today.year)
        where, most_people = self._study_sites(adoptions)
        title = words.EVIDENCE_TITLES[evidence_type].format(**context, where=where)
        outcome = rng.choice(self._outcome_pool())
        before, after = self._measured(outcome)
        percent = round(abs(after - before) / before * 100) if before else 0
        direction, relative = ("fell", "lower") if after < before else ("rose", "higher")
        change = (
            f"{outcome.metric} {direction} from {format_figure(before, outcome.unit)} "
            f"to {format_figure(after, outcome.unit)} ({percent}% {relative})"
        )
        months = rng.choice((3, 6, 12, 18, 24))

        def people(low):
            return rng.randint(min(low, most_people), most_people)

        if evidence_type == "rct":
            summary = (
                f"{people(60):,} participants randomised to {self.title} or usual care at "
                f"{where}, followed up for {months} months."
            )
            low, high = max(1, percent - rng.randint(3, 8)), percent + rng.randint(3, 8)
            outcomes = (
                f"{change} compared with usual care; 95% confidence interval {low}% to {high}%."
            )
        elif evidence_type == "economic":
            saving = rng.randint(8, 90) * 10
            summary = (
                f"Cost-consequence model for a population of 1 million, using "
                f"{year - 1} NHS reference costs and outcomes at {where}."
            )
            outcomes = (
                f"Net saving of £{saving:,} per patient per year; break-even within "
                f"{rng.randint(6, 24)} months. {change}."
            )
        elif evidence_type == "qualitative":
            summary = (
                f"Semi-structured interviews with {rng.randint(min(12, most_people), 40)} "
                f"patients and staff at {where}."
            )
            outcomes = (
                f"{rng.randint(78, 96)}% of patients would recommend it. Themes: ease "
                "of use, reassurance from remote review and fewer journeys to "
                "appointments."
            )
        elif evidence_type in ("service_evaluation", "audit"):
            what = "patients" if evidence_type == "service_evaluation" else "records"
            summary = f"{people(40):,} {what} at {where}, over {months} months."
            outcomes = f"{change} over the evaluation period."
        else:
            summary = f"{people(40):,} {self.area.people} at {where}, over {months} months."
            outcomes = f"{change} over the evaluation period."
        return EvidenceSpec(
            evidence_type=evidence_type,
            title=title[:255],
            year=year,
            summary=summary,
            outcomes=outcomes,
            link=self._link(year) if rng.random() < 0.85 else "",
        )

    def _link(self, year):
        """A citation on a host that resolves nowhere (never a DOI at the real resolver)."""
        rng = self.rng
        return f"https://{rng.choice(words.EVIDENCE_HOSTS)}/{year}/{rng.randint(10000, 99999)}"

    # -- adoption --

    def _adoptions(self):
        """Adopters over several years: a product starts in a home region (more often one of
        the regions ahead, REGION_UPTAKE) with organisations of the size it suits, and later
        spreads to other regions, still leaning to those ahead."""
        rng = self.rng
        if not self.organisations or (rng.random() < 0.1 and not self.showcase):
            return []
        home = pick(rng, REGION_UPTAKE)
        size_band = pick(rng, PRODUCT_SIZES)
        count = min(60, len(self.organisations), max(1, int(rng.lognormvariate(1.1, 0.9))))
        if self.position == 0:
            count = max(count, 2)
        if self.showcase:
            count = 2
        chosen, made = set(), []
        for _ in range(count * 3):
            if len(made) == count:
                break
            kind = pick(rng, self.profile.adopters)
            at_home = self.showcase or not made or rng.random() < 0.6
            region = home if at_home else pick(rng, REGION_UPTAKE)
            suits = size_band if rng.random() < 0.8 else ""
            index = self.adopters.choose(rng, kind, self.care_settings, region, suits)
            if index is None or index in chosen:
                continue
            chosen.add(index)
            org_kind = self.organisations[index].kind
            # The home region took it up first; other regions since.
            since = rng.randint(400, 2500) if at_home else rng.randint(30, 1500)
            made.append(
                AdoptionSpec(
                    organisation=index,
                    since=days_ago(self.today, since),
                    scale=self._scale(org_kind),
                    confirmed=rng.random() < 0.85
                    or (self.position == 0 and not made)
                    or self.showcase,
                )
            )
        return made

    def _scale(self, kind):
        rng = self.rng
        if kind in ("icb", "local_authority"):
            return pick(rng, {"system_wide": 7, "trust_wide": 2, "pilot": 1})
        if kind in ("gp_practice", "social_care_provider"):
            return pick(rng, {"trust_wide": 8, "pilot": 2})
        return pick(rng, {"pilot": 2, "department": 3.5, "trust_wide": 4.5})

    # -- case study --

    def _case_study(self, adoptions, context):
        rng = self.rng
        confirmed = [a for a in adoptions if a.confirmed]
        if not confirmed or not (self.position == 0 or self.showcase or rng.random() < 0.08):
            return None
        adoption = rng.choice(confirmed)
        organisation = self.organisations[adoption.organisation]
        org = organisation.name
        outcomes = self._case_outcomes()
        first = outcomes[0]
        templates = list(words.CASE_STUDY_TITLES)
        if first.after > first.before:
            templates = templates[1:]  # "cut" only fits a measure that went down
        title = rng.choice(templates).format(
            org=org,
            product=self.title,
            metric_lower=lower_first(first.metric),
            area=self.area.tag,
            area_cap=capitalise(self.area.tag),
        )[:255]
        slug = unique_slug(title, self.planner.case_study_slugs)
        published_on = max(
            adoption.since + datetime.timedelta(days=90),
            days_ago(self.today, rng.randint(7, 700)),
        )
        published_on = min(published_on, days_ago(self.today, 1))
        ctx = {
            **context,
            "org": org,
            "product": self.title,
            "people_cap": capitalise(self.area.people),
            "team_cap": capitalise(self.area.team),
        }
        summary = fit(
            f"{org} introduced {self.title} for {self.area.people}. Over {first.period}, "
            f"{lower_first(first.metric)} went from {format_figure(first.before, first.unit)} to "
            f"{format_figure(first.after, first.unit)}."
        )
        licence = rng.randint(12, 240) * 1000
        first_name, surname = rng.choice(words.FIRST_NAMES), rng.choice(words.SURNAMES)
        local_part = re.sub(r"[^a-z.]", "", f"{first_name}.{surname}".lower())
        return CaseStudySpec(
            title=title,
            slug=slug,
            organisation=adoption.organisation,
            summary=summary,
            challenge=paragraphs(rng.choice(words.CHALLENGES).format(**ctx)),
            solution=paragraphs(rng.choice(words.SOLUTIONS).format(**ctx))
            + bullet_list(rng.sample(words.SOLUTION_STEPS, 3)),
            costs=paragraphs(
                f"Licences cost £{licence:,} a year. Implementation, including training for "
                f"{rng.randint(10, 250)} staff, cost £{rng.randint(10, 120) * 1000:,}, funded "
                f"by {rng.choice(words.FUNDING_SOURCES)}."
            ),
            lessons_learnt=bullet_list(rng.sample(words.LESSONS, 3)),
            contact_name=f"{first_name} {surname}",
            contact_role=rng.choice(words.CONTACT_ROLES[organisation.kind]).format(
                area=self.area.tag
            ),
            contact_email=f"{local_part}@{organisation_domain(org, organisation.kind)}",
            published_on=published_on,
            outcomes=outcomes,
            tags=[self.area.tag],
            publishing=self.planner.publishing(rng, published_on),
        )

    def _case_outcomes(self):
        rng = self.rng
        pool = list(self._outcome_pool())
        period = rng.choice(words.OUTCOME_PERIODS)
        made = []
        for outcome in rng.sample(pool, min(len(pool), rng.randint(2, 3))):
            before, after = self._measured(outcome)
            made.append(OutcomeSpec(outcome.metric, before, after, outcome.unit, period))
        return made


def join_words(items: Iterable[str]):
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def build_plan(n_products, seed, today, catalogue, **taken) -> DemoPlan:
    """The whole plan for a fresh database, in memory. For tests and small demos; the
    command streams products in batches instead."""
    planner = DemoPlanner(seed, today, catalogue, **taken)
    organisations = planner.nhs_organisations(n_products)
    suppliers = planner.suppliers(supplier_count(n_products))
    refs = [org.ref for org in organisations]
    products = list(planner.products(n_products, suppliers, refs))
    return DemoPlan(organisations, suppliers, products, planner.guides())


def iter_batches(items: Iterable, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
