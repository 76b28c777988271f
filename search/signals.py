"""Which changes in the database touch which documents, and queueing them.

Every handler here only inserts `IndexChange` rows (search.queue.enqueue, when
Elasticsearch is configured) and marks the database engine's words of those pages stale
(search.fulltext, always); the worker and the next database search do the rest. What each
change touches:

- a product, case study or guide published, unpublished, deleted or moved: its own
  document; a product also touches the case studies and guides that list it (they show
  only live products), a case study the products it is about (their case-study titles
  and outcomes);
- a supplier renamed: its products; an adopting organisation edited: the products it
  adopts (adopter regions) and its case studies;
- a standard edited: the products with a compliance row for it; a category, care setting
  or tag renamed: the pages that carry it;
- a compliance row or an adoption edited outside the page editor (assessors, imports):
  its product, if live;
- a view restriction added or removed: the pages it covers.

Same transaction, verified against Wagtail 8.0: `PublishPageRevisionAction.execute()` is
*not* wrapped in a transaction, and Wagtail sends `page_published` after the page has been
saved and committed; only `Page.save()` is atomic (`@transaction.atomic`). Publish,
unpublish and move all write the page through `Page.save()`, and modelcluster commits the
page's inline rows inside that same call. So the durable hooks are `post_save` and
`post_delete` of the page models and of their inline rows, which run inside the page's
transaction; the handlers do not rely on `page_published` or `page_unpublished`. The one
exception is a move's descendants: Wagtail rewrites their URL paths with a bulk UPDATE
that sends no signal, so they are queued from `post_page_move` and `page_slug_changed`,
just after the change commits (if the process dies in that instant, `search_index check`
finds the stale URLs).
Snippets saved through the Wagtail admin are saved in a transaction; a plain ORM
`.save()` outside `transaction.atomic()` commits the row and its queue rows separately.

Draft saves queue nothing: saving a draft of a live page only writes Wagtail's
bookkeeping fields (`save_revision`), and a page that is not and was not live has no
document to change.
"""

from django.core.signals import request_started
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_slug_changed, post_page_move

from assessments.models import ProductCompliance, Standard
from registry.bookkeeping import only_bookkeeping
from registry.models import (
    Adoption,
    BestPracticePage,
    BestPracticeProduct,
    BestPracticeTag,
    CareSetting,
    CaseStudyPage,
    CaseStudyProduct,
    CaseStudyTag,
    Category,
    Organisation,
    ProductClinicalAreaTag,
    ProductPage,
)

from . import queue
from .analysis import forget_known_words
from .models import LayTerm
from .results import forget_site_roots

PAGE_KINDS = {ProductPage: "product", CaseStudyPage: "case_study", BestPracticePage: "guide"}


def live_pages(model):
    return model.objects.filter(live=True)


# --- Pages ----------------------------------------------------------------------------------


def kind_of_page(page):
    return PAGE_KINDS.get(type(page)) or PAGE_KINDS.get(page.specific_class)


def remember_if_was_live(sender, instance, raw=False, update_fields=None, **kwargs):
    """Before a save that takes a page offline, note that it was live (one query, and only
    for a page saved as not live: unpublishing, or saving a draft of an unpublished page)."""
    if raw or not queue.tracking() or instance.live or instance.pk is None:
        return
    if only_bookkeeping(update_fields):
        return
    if kind_of_page(instance) is None:
        return
    instance._search_was_live = (
        Page.objects.filter(pk=instance.pk).values_list("live", flat=True).first() or False
    )


def page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or not queue.tracking():
        return
    if only_bookkeeping(update_fields):
        return  # a draft saved, a lock taken: nothing public changed
    was_live = getattr(instance, "_search_was_live", False)
    instance._search_was_live = False
    if not (instance.live or was_live):
        return  # a draft that has never been live, or still is not
    kind = kind_of_page(instance)
    if kind is None:
        return
    queue.enqueue(kind, [instance.pk])
    queue_dependents(kind, instance.pk)


def queue_dependents(kind, pk):
    """Other documents that show something of this page."""
    if kind == "product":
        queue.enqueue(
            "case_study",
            CaseStudyProduct.objects.filter(product_id=pk, case_study__live=True).values_list(
                "case_study_id", flat=True
            ),
        )
        queue.enqueue(
            "guide",
            BestPracticeProduct.objects.filter(product_id=pk, guide__live=True).values_list(
                "guide_id", flat=True
            ),
        )
    elif kind == "case_study":
        # The products as linked before this save; links added or removed by it are
        # queued by the link handlers below as modelcluster commits them.
        queue.enqueue(
            "product",
            CaseStudyProduct.objects.filter(case_study_id=pk).values_list("product_id", flat=True),
        )


def page_deleted(sender, instance, **kwargs):
    if not queue.tracking() or not instance.live:
        return
    kind = PAGE_KINDS[type(instance)]
    queue.enqueue(kind, [instance.pk])
    # Links to other pages are deleted (with their handlers) before the page itself.


def base_page_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """Wagtail saves a moved page as a plain `Page`; route it to the specific handler."""
    if raw or not queue.tracking() or type(instance) is not Page:
        return
    page_saved(sender, instance, raw=raw, update_fields=update_fields)


def page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    """A move can change the URL and the view restrictions of everything under the page."""
    if not queue.tracking() or url_path_before == url_path_after:
        return
    queue_subtree(instance)


def slug_changed(sender, instance, instance_before=None, **kwargs):
    """A new slug rewrites the URL of everything under the page (Wagtail does it with a bulk
    UPDATE, and sends this signal once that has committed)."""
    if queue.tracking():
        queue_subtree(instance, inclusive=False)


def queue_subtree(page, inclusive=True):
    for model, kind in PAGE_KINDS.items():
        pages = live_pages(model).descendant_of(page, inclusive=inclusive)
        queue.enqueue_pages(kind, pages)


def restriction_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    try:
        page = instance.page
    except Page.DoesNotExist:
        return
    queue_subtree(page)


# --- Rows inside pages ----------------------------------------------------------------------


def _parent_is_live(link, field, model):
    """Whether the page a row belongs to is live, without a query when modelcluster has
    the page in memory (it does while it commits the page's rows)."""
    cached = link._state.fields_cache.get(field)
    if cached is not None:
        return cached.live
    return model.objects.filter(pk=getattr(link, f"{field}_id"), live=True).exists()


def case_study_link_changed(sender, instance, raw=False, **kwargs):
    """A product added to or removed from a live case study: both documents change."""
    if raw or not queue.tracking():
        return
    if _parent_is_live(instance, "case_study", CaseStudyPage):
        queue.enqueue("product", [instance.product_id])
        queue.enqueue("case_study", [instance.case_study_id])


def guide_link_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    if _parent_is_live(instance, "guide", BestPracticePage):
        queue.enqueue("guide", [instance.guide_id])


def product_row_changed(sender, instance, raw=False, **kwargs):
    """A compliance row or an adoption of a live product (assessors and imports change them
    without publishing the page)."""
    if raw or not queue.tracking():
        return
    if _parent_is_live(instance, "product", ProductPage):
        queue.enqueue("product", [instance.product_id])


# --- Snippets and vocabularies ----------------------------------------------------------------


def organisation_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    queue.enqueue_pages("product", live_pages(ProductPage).filter(supplier=instance))
    queue.enqueue_pages(
        "product",
        live_pages(ProductPage).filter(adoptions__organisation=instance, adoptions__confirmed=True),
    )
    queue.enqueue_pages("case_study", live_pages(CaseStudyPage).filter(organisation=instance))


def standard_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    queue.enqueue_pages("product", live_pages(ProductPage).filter(compliance__standard=instance))


def category_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    queue.enqueue_pages("product", live_pages(ProductPage).filter(category=instance))


def care_setting_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    queue.enqueue_pages("product", live_pages(ProductPage).filter(care_settings=instance))


TAGGED = (
    ("product", ProductPage, ProductClinicalAreaTag, "tagged_clinical_areas"),
    ("case_study", CaseStudyPage, CaseStudyTag, "tagged_items"),
    ("guide", BestPracticePage, BestPracticeTag, "tagged_items"),
)


def tag_changed(sender, instance, raw=False, **kwargs):
    if raw or not queue.tracking():
        return
    for kind, model, _through, related_name in TAGGED:
        pages = live_pages(model).filter(**{f"{related_name}__tag": instance})
        queue.enqueue_pages(kind, pages)


# --- Wiring ---------------------------------------------------------------------------------

# Snippets are watched on save, and *before* delete: by the time a delete has finished, the
# rows that said which pages carried the snippet (many-to-many, tags) are gone.
SNIPPET_HANDLERS = (
    (Organisation, organisation_changed),
    (Standard, standard_changed),
    (Category, category_changed),
    (CareSetting, care_setting_changed),
    (Tag, tag_changed),
)
ROW_HANDLERS = (
    (PageViewRestriction, restriction_changed),
    (CaseStudyProduct, case_study_link_changed),
    (BestPracticeProduct, guide_link_changed),
    (ProductCompliance, product_row_changed),
    (Adoption, product_row_changed),
)


def connect():
    """Called from SearchConfig.ready()."""
    for model in PAGE_KINDS:
        pre_save.connect(remember_if_was_live, sender=model, dispatch_uid=_uid("pre", model))
        post_save.connect(page_saved, sender=model, dispatch_uid=_uid("save", model))
        post_delete.connect(page_deleted, sender=model, dispatch_uid=_uid("delete", model))
    pre_save.connect(remember_if_was_live, sender=Page, dispatch_uid=_uid("pre", Page))
    post_save.connect(base_page_saved, sender=Page, dispatch_uid=_uid("save", Page))
    post_page_move.connect(page_moved, dispatch_uid=_uid("move", Page))
    page_slug_changed.connect(slug_changed, dispatch_uid=_uid("slug", Page))
    for model, handler in ROW_HANDLERS:
        post_save.connect(handler, sender=model, dispatch_uid=_uid("save", model))
        post_delete.connect(handler, sender=model, dispatch_uid=_uid("delete", model))
    for model, handler in SNIPPET_HANDLERS:
        post_save.connect(handler, sender=model, dispatch_uid=_uid("save", model))
        pre_delete.connect(handler, sender=model, dispatch_uid=_uid("delete", model))
    # The words the synonyms and lay terms name, which are never corrected.
    post_save.connect(forget_known_words, sender=LayTerm, dispatch_uid=_uid("save", LayTerm))
    post_delete.connect(forget_known_words, sender=LayTerm, dispatch_uid=_uid("delete", LayTerm))
    # Result addresses are worked out from the sites' root paths, read once per request.
    request_started.connect(forget_site_roots, dispatch_uid="search.signals.request-roots")
    post_save.connect(forget_site_roots, sender=Site, dispatch_uid=_uid("save", Site))
    post_delete.connect(forget_site_roots, sender=Site, dispatch_uid=_uid("delete", Site))
    post_page_move.connect(forget_site_roots, dispatch_uid=_uid("move-roots", Page))
    page_slug_changed.connect(forget_site_roots, dispatch_uid=_uid("slug-roots", Page))


def _uid(signal, model):
    return f"search.signals.{signal}.{model._meta.label_lower}"
