"""Atom feeds: new products, new case studies, and new products in each category.

Feed readers and other NHS services follow these instead of polling search. Only live,
public pages appear, newest first by the date each was first published.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from proof.loading import attach_standings
from proof.rules import DtacState
from registry.models import CaseStudyPage, Category, ProductPage

FEED_SIZE = 50


class PageFeed(Feed):
    """What every feed says of a page: its summary, address and publication dates."""

    feed_type = Atom1Feed

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return item.url

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at


class ProductFeedBase(PageFeed):
    def products(self):
        return (
            ProductPage.objects.live()
            .public()
            .select_related("supplier", "category")
            .order_by("-first_published_at", "-pk")
        )

    def with_proof(self, products):
        return attach_standings(products[:FEED_SIZE])

    def item_description(self, item):
        """The summary, then the proof as proof.rules reads it on the day the feed is read."""
        standing = item.proof_standing
        dtac = f"DTAC: {standing.dtac.label.lower()}"
        if not standing.dtac.passed and standing.dtac.state != DtacState.NOT_ASSESSED:
            dtac += f" ({standing.dtac.reason.rstrip('.')})"
        return (
            f"{item.summary} {dtac}. NICE ESF tier {standing.esf_tier}. "
            f"{standing.standards_met_count} standards met"
            + (
                f", {standing.standards_expired_count} expired"
                if standing.standards_expired_count
                else ""
            )
            + f". Used by {standing.adopters} organisations."
        )

    def item_title(self, item):
        return f"{item.title}, by {item.supplier.name}"

    def item_author_name(self, item):
        return item.supplier.name

    def item_categories(self, item):
        return [item.category.name]


class NewProductsFeed(ProductFeedBase):
    title = f"New products: {settings.WAGTAIL_SITE_NAME}"
    subtitle = "Products newly listed in the registry, with their proof."
    link = "/products/"

    def items(self):
        return self.with_proof(self.products())


class CategoryFeed(ProductFeedBase):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)

    def title(self, category):
        return f"New products in {category.name}: {settings.WAGTAIL_SITE_NAME}"

    def subtitle(self, category):
        return category.description or f"Products newly listed in {category.name}."

    def link(self, category):
        return f"{reverse('search')}?category={category.slug}"

    def items(self, category):
        return self.with_proof(self.products().filter(category=category))


class NewCaseStudiesFeed(PageFeed):
    title = f"New case studies: {settings.WAGTAIL_SITE_NAME}"
    subtitle = "How organisations adopted products, and what changed, in figures."
    link = "/case-studies/"

    def items(self):
        return CaseStudyPage.visible().order_by("-first_published_at", "-pk")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_author_name(self, item):
        return item.organisation.name
