"""The catalogue: organisations, products and their proof, case studies and guides.

A product's proof has three parts (see docs/domain.md): evidence items and the NICE ESF
tier live here; standards compliance lives in `assessments` because assessors own it;
adoptions live here because they are facts about organisations using the product.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from taggit.models import TaggedItemBase
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    PageChooserPanel,
)
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from .blocks import ContentBlock
from .choices import (
    SIZE_MEASURES,
    AdoptionScale,
    ConformityMarking,
    DeploymentModel,
    DeviceClass,
    EsfTier,
    EvidenceType,
    OrganisationKind,
    PricingModel,
    Region,
    SizeBand,
)
from .pagination import paginate
from .validators import (
    link_for,
    normalise_code,
    validate_companies_house_number,
    validate_link_or_doi,
    validate_ods_code,
)

SUMMARY_MAX_LENGTH = 300
EXTERNAL_ID_HELP = (
    "Identifier of this record in the catalogue it was imported from. Imports match on it, "
    "so importing the same file twice changes nothing. Leave blank for records made here."
)


def external_id_field():
    return models.CharField(
        max_length=100, unique=True, null=True, blank=True, help_text=EXTERNAL_ID_HELP
    )


# --- Reference data the scaling team edits -------------------------------------------------


class Organisation(index.Indexed, models.Model):
    """An NHS or care organisation, a local authority, or a supplier of products."""

    name = models.CharField(max_length=255, help_text="The organisation's full legal name.")
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    ods_code = models.CharField(
        "ODS code",
        max_length=12,
        unique=True,
        validators=[validate_ods_code],
        null=True,
        blank=True,
        help_text="Organisation Data Service code, such as RJ1 for a trust or A81001 for a GP "
        "practice. Every NHS organisation has one; suppliers usually do not.",
    )
    companies_house_number = models.CharField(
        max_length=10,
        unique=True,
        validators=[validate_companies_house_number],
        null=True,
        blank=True,
        help_text="For suppliers registered in the UK: 8 digits, or 2 letters and 6 digits.",
    )
    region = models.CharField(
        "NHS England region",
        max_length=32,
        choices=Region.choices,
        blank=True,
        help_text="Leave blank for national organisations and suppliers.",
    )
    size_band = models.CharField(
        max_length=16,
        choices=SizeBand.choices,
        blank=True,
        help_text="For NHS and care organisations. "
        + "; ".join(
            f"{who} by {measure}: small {small}, medium {medium}, large {large}"
            for who, measure, small, medium, large in SIZE_MEASURES.values()
        )
        + ". Leave blank if not known.",
    )
    website = models.URLField(blank=True)
    external_id = external_id_field()

    panels = [
        FieldPanel("name"),
        FieldPanel("kind"),
        FieldRowPanel([FieldPanel("ods_code"), FieldPanel("companies_house_number")]),
        FieldRowPanel([FieldPanel("region"), FieldPanel("size_band")]),
        FieldPanel("website"),
        FieldPanel("external_id"),
    ]
    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("ods_code"),
        index.FilterField("kind"),
    ]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.ods_code})" if self.ods_code else self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("organisation", args=[self.pk])

    @property
    def size_description(self):
        """The size band in words, with what it means for this kind: "Large (over 10,000
        staff)". Empty when no band is set."""
        if not self.size_band:
            return ""
        label = self.get_size_band_display()
        if self.kind not in SIZE_MEASURES:
            return label
        _, measure, *bands = SIZE_MEASURES[self.kind]
        band = dict(zip(SizeBand.values, bands, strict=True))[self.size_band]
        return f"{label} ({band} {measure})"

    def clean_fields(self, exclude=None):
        # Normalise before the field validators run, so "rj1 " is stored as "RJ1".
        self.ods_code = normalise_code(self.ods_code) or None
        self.companies_house_number = normalise_code(self.companies_house_number) or None
        if self.companies_house_number and self.companies_house_number.isdigit():
            self.companies_house_number = self.companies_house_number.zfill(8)
        super().clean_fields(exclude=exclude)

    @property
    def is_supplier(self):
        return self.kind == OrganisationKind.SUPPLIER


class Category(models.Model):
    """What a product does, in the words buyers browse by. One per product."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True, help_text="One or two sentences for the listing.")

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class CareSetting(models.Model):
    """Where care happens (hospital, primary care, the person's home...). Many per product."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description")]

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- Products -------------------------------------------------------------------------------


class ProductClinicalAreaTag(TaggedItemBase):
    content_object = ParentalKey(
        "registry.ProductPage", related_name="tagged_clinical_areas", on_delete=models.CASCADE
    )


#: The Wagtail hook under which other apps register what a product needs before it is
#: published: a function of the bound ProductPageForm returning messages (proof/wagtail_hooks.py
#: registers the rules of proof.rules), so the page model does not import them.
PUBLISHING_CHECKS_HOOK = "product_publishing_problems"


class ProductPageForm(WagtailAdminPageForm):
    """Checks that need the inline rows together: one compliance row per standard, and the
    publishing checks (PUBLISHING_CHECKS_HOOK) whenever the editor asks for more than a draft
    (publish, submit for moderation, a workflow action): one error per missing item, nothing
    saved."""

    def clean(self):
        cleaned = super().clean()
        if not self.is_deferred_validation:
            for check in hooks.get_hooks(PUBLISHING_CHECKS_HOOK):
                for message in check(self):
                    self.add_error(None, f"Before publishing: {message}")
        compliance = self.formsets.get("compliance")
        if compliance is not None:
            seen = set()
            for form in compliance.forms:
                if not form.is_valid() or form.cleaned_data.get("DELETE"):
                    continue
                standard = form.cleaned_data.get("standard")
                if standard is None:
                    continue
                if standard.pk in seen:
                    form.add_error(
                        "standard",
                        f"{standard.code} already has a row. Record one status per standard.",
                    )
                seen.add(standard.pk)
        return cleaned


class ProductPage(Page):
    """A product listed in the registry, with its proof."""

    supplier = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="products",
        limit_choices_to={"kind": OrganisationKind.SUPPLIER},
        help_text="The company that makes and supports the product.",
    )
    summary = models.TextField(
        max_length=SUMMARY_MAX_LENGTH,
        validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)],
        help_text=f"What the product does and for whom, in plain English. At most "
        f"{SUMMARY_MAX_LENGTH} characters: it is shown in search results and comparisons.",
    )
    description = StreamField(ContentBlock(), blank=True, help_text="The full description.")
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", help_text="What it does."
    )
    care_settings = ParentalManyToManyField(
        CareSetting, related_name="products", help_text="Where it is used. Choose all that apply."
    )
    clinical_areas = ClusterTaggableManager(
        through=ProductClinicalAreaTag,
        blank=True,
        help_text="Clinical areas, such as diabetes, COPD or mental health.",
    )
    esf_tier = models.CharField(
        "NICE ESF tier",
        max_length=1,
        choices=EsfTier.choices,
        help_text="The NICE Evidence Standards Framework tier sets how much evidence is "
        "expected: A for system services, B for self-management, C for treatment or diagnosis.",
    )
    device_class = models.CharField(
        "medical device class",
        max_length=8,
        choices=DeviceClass.choices,
        default=DeviceClass.NONE,
        help_text="The MHRA class the product is registered as, or 'Not a medical device'.",
    )
    conformity_marking = models.CharField(
        "UKCA/CE marking", max_length=16, choices=ConformityMarking.choices, default="none"
    )
    processes_personal_data = models.BooleanField(
        "processes patient or service user data",
        default=True,
        help_text="Untick only if the product never handles identifiable data about patients "
        "or the people who use care services. Products that do need ICO registration, a Data "
        "Protection Officer, a DPIA and the DSPT at standards met.",
    )
    pricing_model = models.CharField(max_length=16, choices=PricingModel.choices)
    deployment_model = models.CharField(max_length=16, choices=DeploymentModel.choices)
    website = models.URLField(blank=True)
    last_reviewed_on = models.DateField(
        null=True,
        blank=True,
        help_text="When the scaling team last checked this listing against its evidence.",
    )
    external_id = external_id_field()

    base_form_class = ProductPageForm
    parent_page_types = ["registry.ProductIndexPage"]
    subpage_types = []
    template = "registry/product_page.html"

    content_panels = [
        *Page.content_panels,
        FieldPanel("supplier"),
        FieldPanel("summary"),
        FieldPanel("description"),
        MultiFieldPanel(
            [
                FieldPanel("category"),
                # A draft may wait for its care settings; publishing needs one (proof.rules).
                FieldPanel("care_settings", required_on_save=False),
                FieldPanel("clinical_areas"),
            ],
            heading="Classification",
        ),
        MultiFieldPanel(
            [
                FieldPanel("esf_tier"),
                FieldRowPanel([FieldPanel("device_class"), FieldPanel("conformity_marking")]),
                FieldPanel("processes_personal_data"),
                FieldRowPanel([FieldPanel("pricing_model"), FieldPanel("deployment_model")]),
                FieldPanel("website"),
                FieldPanel("last_reviewed_on"),
            ],
            heading="Regulation and commercial model",
        ),
        InlinePanel("evidence", heading="Evidence", label="Evidence item"),
        InlinePanel("compliance", heading="Standards compliance", label="Standard"),
        InlinePanel("adoptions", heading="Adoption", label="Adopting organisation"),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("external_id")]

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.FilterField("esf_tier"),
    ]

    class Meta:
        verbose_name = "product"

    @property
    def name(self):
        return self.title

    @property
    def is_medical_device(self):
        return self.device_class != DeviceClass.NONE


class EvidenceItem(Orderable):
    product = ParentalKey(ProductPage, related_name="evidence", on_delete=models.CASCADE)
    evidence_type = models.CharField(max_length=32, choices=EvidenceType.choices)
    title = models.CharField(max_length=255)
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1950), MaxValueValidator(2100)],
        help_text="Year of publication or, for unpublished evaluations, of completion.",
    )
    summary = models.TextField(help_text="What was studied, where, and with how many people.")
    outcomes = models.TextField(blank=True, help_text="What it found, with figures.")
    link = models.CharField(
        "link or DOI",
        max_length=500,
        blank=True,
        validators=[validate_link_or_doi],
        help_text="A web address, or a DOI such as 10.1136/bmj.m1234.",
    )

    panels = [
        FieldRowPanel([FieldPanel("evidence_type"), FieldPanel("year")]),
        FieldPanel("title"),
        FieldPanel("summary"),
        FieldPanel("outcomes"),
        FieldPanel("link"),
    ]

    def clean(self):
        if self.year and self.year > timezone.localdate().year + 1:
            raise ValidationError({"year": "The year cannot be in the future."})

    @property
    def url(self):
        return link_for(self.link)


class Adoption(Orderable):
    """An organisation that uses the product. Only confirmed adoptions count publicly."""

    product = ParentalKey(ProductPage, related_name="adoptions", on_delete=models.CASCADE)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="adoptions"
    )
    since = models.DateField(null=True, blank=True, help_text="When it went live there.")
    scale = models.CharField(max_length=16, choices=AdoptionScale.choices)
    confirmed = models.BooleanField(
        default=False,
        help_text="Tick once the organisation itself has confirmed it uses the product. "
        "Unconfirmed adoptions are not shown or counted.",
    )
    contact_email = models.EmailField(
        blank=True,
        help_text="Who at the organisation answers questions from peers about this product. "
        "Never shown on the site: buyers' messages are relayed to it by email.",
    )

    panels = [
        FieldPanel("organisation"),
        FieldRowPanel([FieldPanel("since"), FieldPanel("scale")]),
        FieldPanel("confirmed"),
        FieldPanel("contact_email"),
    ]

    class Meta(Orderable.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["product", "organisation"], name="one_adoption_per_organisation"
            )
        ]


# --- Case studies and guides ----------------------------------------------------------------


class LinkedProductsMixin:
    """For pages that name products through `product_links` (case studies and guides): their
    template lists the linked products that are live, as `products` (the template adds their
    proof with proof_tags' `with_proof`)."""

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["products"] = [
            link.product
            for link in self.product_links.select_related(
                "product", "product__supplier", "product__category"
            )
            if link.product.live
        ]
        return context


class CaseStudyTag(TaggedItemBase):
    content_object = ParentalKey(
        "registry.CaseStudyPage", related_name="tagged_items", on_delete=models.CASCADE
    )


class CaseStudyPage(LinkedProductsMixin, Page):
    """How an organisation adopted a product, and what changed, in figures."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="case_studies",
        help_text="The organisation that adopted the product.",
    )
    summary = models.TextField(
        max_length=SUMMARY_MAX_LENGTH, validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)]
    )
    challenge = RichTextField(features=["bold", "italic", "ul", "ol", "link"])
    solution = RichTextField(features=["bold", "italic", "ul", "ol", "link"])
    costs = RichTextField(blank=True, features=["bold", "italic", "ul", "ol", "link"])
    lessons_learnt = RichTextField(blank=True, features=["bold", "italic", "ul", "ol", "link"])
    contact_name = models.CharField(max_length=255, blank=True)
    contact_role = models.CharField(max_length=255, blank=True)
    contact_email = models.EmailField(
        blank=True, help_text="Never shown on the site; used to relay questions from peers."
    )
    published_on = models.DateField(default=datetime.date.today)
    tags = ClusterTaggableManager(through=CaseStudyTag, blank=True)
    external_id = external_id_field()

    parent_page_types = ["registry.CaseStudyIndexPage"]
    subpage_types = []
    template = "registry/case_study_page.html"

    content_panels = [
        *Page.content_panels,
        FieldPanel("organisation"),
        InlinePanel("product_links", heading="Products", label="Product", min_num=1),
        FieldPanel("summary"),
        FieldPanel("challenge"),
        FieldPanel("solution"),
        InlinePanel("outcomes", heading="Measured outcomes", label="Outcome"),
        FieldPanel("costs"),
        FieldPanel("lessons_learnt"),
        MultiFieldPanel(
            [FieldPanel("contact_name"), FieldPanel("contact_role"), FieldPanel("contact_email")],
            heading="Contact",
        ),
        FieldPanel("published_on"),
        FieldPanel("tags"),
    ]
    settings_panels = [*Page.settings_panels, FieldPanel("external_id")]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        verbose_name = "case study"
        verbose_name_plural = "case studies"

    @classmethod
    def visible(cls):
        """The case studies anyone may read, each with its organisation, as the listings and
        the feed show them."""
        return cls.objects.live().public().select_related("organisation")

    @property
    def headline_outcomes(self):
        return list(self.outcomes.all())[:3]


class CaseStudyProduct(Orderable):
    case_study = ParentalKey(CaseStudyPage, related_name="product_links", on_delete=models.CASCADE)
    product = models.ForeignKey(
        ProductPage, on_delete=models.CASCADE, related_name="case_study_links"
    )
    panels = [PageChooserPanel("product", "registry.ProductPage")]


class CaseStudyOutcome(Orderable):
    """One measured change: the figure before, the figure after, in the same unit."""

    case_study = ParentalKey(CaseStudyPage, related_name="outcomes", on_delete=models.CASCADE)
    metric = models.CharField(max_length=255, help_text="What was measured.")
    before = models.DecimalField(max_digits=14, decimal_places=2)
    after = models.DecimalField(max_digits=14, decimal_places=2)
    unit = models.CharField(max_length=50, help_text="Such as minutes, %, £ or admissions.")
    period = models.CharField(
        max_length=100, blank=True, help_text="Over what period, such as 12 months."
    )

    panels = [
        FieldPanel("metric"),
        FieldRowPanel([FieldPanel("before"), FieldPanel("after"), FieldPanel("unit")]),
        FieldPanel("period"),
    ]

    @property
    def change(self):
        return self.after - self.before

    @property
    def percent_change(self):
        if not self.before:
            return None
        return round((self.after - self.before) / abs(self.before) * 100)


class BestPracticeTag(TaggedItemBase):
    content_object = ParentalKey(
        "registry.BestPracticePage", related_name="tagged_items", on_delete=models.CASCADE
    )


class BestPracticePage(LinkedProductsMixin, Page):
    """A guide published by the scaling team."""

    summary = models.TextField(
        max_length=SUMMARY_MAX_LENGTH, validators=[MaxLengthValidator(SUMMARY_MAX_LENGTH)]
    )
    body = StreamField(ContentBlock())
    featured = models.BooleanField(default=False, help_text="Show on the home page.")
    tags = ClusterTaggableManager(through=BestPracticeTag, blank=True)

    parent_page_types = ["registry.BestPracticeIndexPage"]
    subpage_types = []
    template = "registry/best_practice_page.html"

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("product_links", heading="Related products", label="Product"),
        FieldPanel("tags"),
        FieldPanel("featured"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("summary")]

    class Meta:
        verbose_name = "best-practice guide"


class BestPracticeProduct(Orderable):
    guide = ParentalKey(BestPracticePage, related_name="product_links", on_delete=models.CASCADE)
    product = models.ForeignKey(ProductPage, on_delete=models.CASCADE, related_name="guide_links")
    panels = [PageChooserPanel("product", "registry.ProductPage")]


# --- Index pages ----------------------------------------------------------------------------


def live_products():
    return ProductPage.objects.live().public()


class ProductIndexPage(RoutablePageMixin, Page):
    """All products, and the browse-by listings for categories and care settings."""

    intro = models.TextField(blank=True)

    parent_page_types = ["registry.HomePage"]
    subpage_types = ["registry.ProductPage"]
    max_count = 1
    template = "registry/product_listing.html"
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def listing(self, request, products, heading, description="", **extra):
        products = products.select_related("supplier", "category").order_by("title")
        products = paginate(request, products, count_key=request.path)
        return self.render(
            request,
            context_overrides={
                "products": products,
                "heading": heading,
                "description": description,
                **extra,
            },
            template="registry/product_listing.html",
        )

    @path("")
    def all_products(self, request):
        return self.listing(request, live_products(), "All products", self.intro)

    def browse(self, request, model, slug, lookup, context_name):
        """The live products in one category or care setting, under its name and description."""
        term = get_object_or_404(model, slug=slug)
        products = live_products().filter(**{lookup: term})
        return self.listing(request, products, term.name, term.description, **{context_name: term})

    @path("category/<slug:slug>/", name="category")
    def category(self, request, slug):
        return self.browse(request, Category, slug, "category", "category")

    @path("care-setting/<slug:slug>/", name="care_setting")
    def care_setting(self, request, slug):
        return self.browse(request, CareSetting, slug, "care_settings", "care_setting")


class ListingIndexPage(Page):
    """An index page that lists its section's live pages a page at a time: the template
    (which extends registry/index_page.html) gets them as `listing`."""

    intro = models.TextField(blank=True)
    parent_page_types = ["registry.HomePage"]
    max_count = 1
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        abstract = True

    def listed(self):
        raise NotImplementedError

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["listing"] = paginate(request, self.listed())
        return context


class CaseStudyIndexPage(ListingIndexPage):
    subpage_types = ["registry.CaseStudyPage"]
    template = "registry/case_study_index_page.html"

    def listed(self):
        return CaseStudyPage.visible().order_by("-published_on", "title")


class BestPracticeIndexPage(ListingIndexPage):
    subpage_types = ["registry.BestPracticePage"]
    template = "registry/best_practice_index_page.html"

    def listed(self):
        return BestPracticePage.objects.live().public().order_by("-first_published_at")


class HomePage(Page):
    intro = models.TextField(
        blank=True,
        default="Find digital health products that are proven to work and safe to adopt: "
        "their evidence, the standards they meet and who already uses them.",
    )
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "registry/home_page.html"
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    def get_context(self, request, *args, **kwargs):
        """Each entry is worked out only when the template asks for it, which it does only
        when its cached copy of the page content is missing (templates/registry/home_page.html)."""
        context = super().get_context(request, *args, **kwargs)

        def with_live_products(model):
            live_filter = Q(products__in=live_products().values("pk"))
            return list(
                model.objects.annotate(product_count=Count("products", filter=live_filter))
                .filter(product_count__gt=0)
                .order_by("name")
            )

        later = {
            "categories": lambda: with_live_products(Category),
            "care_settings": lambda: with_live_products(CareSetting),
            "product_index": lambda: ProductIndexPage.objects.live().first(),
            "latest_case_studies": lambda: list(
                CaseStudyPage.visible()
                .prefetch_related(Prefetch("outcomes"))
                .order_by("-published_on", "-pk")[:3]
            ),
            "featured_guides": lambda: list(
                BestPracticePage.objects.live().public().filter(featured=True).order_by("title")[:3]
            ),
        }
        context.update({name: SimpleLazyObject(work) for name, work in later.items()})
        # A callable, which the template calls once, for a number its filters can read.
        context["product_count"] = lambda: live_products().count()
        return context
