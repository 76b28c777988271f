"""Writing the changes feed: which database changes are changes to which public records.

Every handler calls `api.changes.record`, inside the transaction of the change (see
search/signals.py for why `post_save` / `post_delete` of the page models and their inline
rows are the durable hooks in Wagtail 8). What each change records:

- a product, case study or guide saved: "created" when it becomes visible (live and
  public), "updated" while it stays visible, "unpublished" when it stops being visible;
  deleted while visible: "deleted". Draft saves and Wagtail's bookkeeping record nothing;
- records that show something of it: a product lists its case studies, a case study and
  a guide list their products, so each change also updates the others' entries;
- a compliance row, evidence item or adoption changed outside the page editor (assessors,
  imports, verified adoption claims): its product;
- organisations, standards, categories and care settings: "created", "updated" or
  "deleted" for themselves, and "updated" for the visible pages that show their names;
- tags renamed, view restrictions and moves: the visible pages that carry them;
- formularies: "created" when one becomes public (published, by an NHS or care
  organisation with a confirmed member: `Formulary.objects.public()`), "updated" while it
  stays public (its introduction, its entries, a listed product or its organisation
  changed), "unpublished" when it stops being public (unpublished, or its organisation's
  last confirmed member left or was deactivated), "deleted" when a public one is deleted.

A mirror fetches each record as the API shows it now, so an entry is enough: it never
carries data.
"""

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from taggit.models import Tag
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_slug_changed, post_page_move

from accounts.models import Membership
from assessments.models import ProductCompliance, Standard
from formularies.models import Formulary, FormularyEntry
from registry.bookkeeping import only_bookkeeping
from registry.models import (
    Adoption,
    BestPracticePage,
    BestPracticeProduct,
    CareSetting,
    CaseStudyPage,
    CaseStudyProduct,
    Category,
    EvidenceItem,
    Organisation,
    ProductPage,
)

from .changes import record
from .models import ChangeAction, ChangeKind

PAGE_KINDS = {
    ProductPage: ChangeKind.PRODUCT,
    CaseStudyPage: ChangeKind.CASE_STUDY,
    BestPracticePage: ChangeKind.GUIDE,
}
SNIPPET_KINDS = {
    Organisation: ChangeKind.ORGANISATION,
    Standard: ChangeKind.STANDARD,
    Category: ChangeKind.CATEGORY,
    CareSetting: ChangeKind.CARE_SETTING,
}


def visible(model):
    """The pages the API shows: live and without a view restriction."""
    return model.objects.live().public()


def is_visible(page):
    return page.live and visible(type(page)).filter(pk=page.pk).exists()


# --- Pages ----------------------------------------------------------------------------------


def remember_visibility(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._api_was_visible = False
        return
    instance._api_was_visible = visible(sender).filter(pk=instance.pk).exists()


def page_saved(sender, instance, raw=False, created=False, update_fields=None, **kwargs):
    if raw:
        return
    if only_bookkeeping(update_fields):
        return
    was_visible = getattr(instance, "_api_was_visible", False)
    instance._api_was_visible = False
    now_visible = is_visible(instance)
    if now_visible:
        action = ChangeAction.UPDATED if was_visible else ChangeAction.CREATED
    elif was_visible:
        action = ChangeAction.UNPUBLISHED
    else:
        return  # a draft that is not, and was not, public
    kind = PAGE_KINDS[sender]
    record(kind, [instance.pk], action)
    record_dependents(kind, instance.pk)


def page_deleted(sender, instance, **kwargs):
    if getattr(instance, "_api_was_visible", instance.live):
        record(PAGE_KINDS[sender], [instance.pk], ChangeAction.DELETED)


def remember_visibility_before_delete(sender, instance, **kwargs):
    instance._api_was_visible = visible(sender).filter(pk=instance.pk).exists()
    # The pages that list this one lose it: their links are deleted with it.
    record_dependents(PAGE_KINDS[sender], instance.pk)


# Which pages show something of a page of each kind: (the kind that shows it, its visible
# pages, the lookup from them to the page).
DEPENDENTS = {
    ChangeKind.PRODUCT: (
        (ChangeKind.CASE_STUDY, lambda: visible(CaseStudyPage), "product_links__product_id"),
        (ChangeKind.GUIDE, lambda: visible(BestPracticePage), "product_links__product_id"),
        (ChangeKind.FORMULARY, lambda: Formulary.objects.public(), "entries__product_id"),
    ),
    ChangeKind.CASE_STUDY: (
        (ChangeKind.PRODUCT, lambda: visible(ProductPage), "case_study_links__case_study_id"),
    ),
}


def record_dependents(kind, pk):
    """Visible pages that show something of this page."""
    for dependent_kind, shown, lookup in DEPENDENTS.get(kind, ()):
        pks = shown().filter(**{lookup: pk}).values_list("pk", flat=True)
        record(dependent_kind, pks, ChangeAction.UPDATED)


def record_subtree(page, inclusive=True):
    for model, kind in PAGE_KINDS.items():
        pages = visible(model).descendant_of(page, inclusive=inclusive)
        record(kind, pages.values_list("pk", flat=True), ChangeAction.UPDATED)


def page_moved(sender, instance, url_path_before=None, url_path_after=None, **kwargs):
    if url_path_before != url_path_after:
        record_subtree(instance)


def slug_changed(sender, instance, **kwargs):
    record_subtree(instance, inclusive=False)


def restriction_changed(sender, instance, raw=False, **kwargs):
    """A view restriction hides or shows a subtree: every page under it that was or is
    visible gets an entry for what it is now."""
    if raw:
        return
    try:
        page = instance.page
    except Page.DoesNotExist:
        return
    for model, kind in PAGE_KINDS.items():
        pages = model.objects.live().descendant_of(page, inclusive=True)
        shown = set(visible(model).filter(pk__in=pages.values("pk")).values_list("pk", flat=True))
        hidden = set(pages.values_list("pk", flat=True)) - shown
        record(kind, sorted(shown), ChangeAction.UPDATED)
        record(kind, sorted(hidden), ChangeAction.UNPUBLISHED)


# --- Rows inside pages ----------------------------------------------------------------------


def _parent_visible(row, field, model):
    cached = row._state.fields_cache.get(field)
    if cached is not None and not cached.live:
        return False
    return visible(model).filter(pk=getattr(row, f"{field}_id")).exists()


def _page_of_row_changed(field, model, kind):
    """A handler for rows inside a page (compliance, adoption, evidence, links): the page
    the row belongs to has changed, if anyone may see it. The handler says whether it was."""

    def changed(sender, instance, raw=False, **kwargs):
        if raw or not _parent_visible(instance, field, model):
            return False
        record(kind, [getattr(instance, f"{field}_id")], ChangeAction.UPDATED)
        return True

    return changed


product_row_changed = _page_of_row_changed("product", ProductPage, ChangeKind.PRODUCT)
guide_link_changed = _page_of_row_changed("guide", BestPracticePage, ChangeKind.GUIDE)
_case_study_row_changed = _page_of_row_changed("case_study", CaseStudyPage, ChangeKind.CASE_STUDY)


def case_study_link_changed(sender, instance, raw=False, **kwargs):
    """The case study changed, and so did the product it links to (its case studies)."""
    if (
        _case_study_row_changed(sender, instance, raw=raw)
        and visible(ProductPage).filter(pk=instance.product_id).exists()
    ):
        record(ChangeKind.PRODUCT, [instance.product_id], ChangeAction.UPDATED)


# --- Snippets and vocabularies ----------------------------------------------------------------


def pages_showing(instance):
    """(kind, pks) of the visible pages that show a snippet's name."""
    if isinstance(instance, Organisation):
        return [
            (
                ChangeKind.PRODUCT,
                visible(ProductPage).filter(supplier=instance).values_list("pk", flat=True),
            ),
            (
                ChangeKind.PRODUCT,
                visible(ProductPage)
                .filter(adoptions__organisation=instance, adoptions__confirmed=True)
                .values_list("pk", flat=True),
            ),
            (
                ChangeKind.CASE_STUDY,
                visible(CaseStudyPage).filter(organisation=instance).values_list("pk", flat=True),
            ),
        ]
    if isinstance(instance, Standard):
        products = visible(ProductPage).filter(compliance__standard=instance)
    elif isinstance(instance, Category):
        products = visible(ProductPage).filter(category=instance)
    elif isinstance(instance, CareSetting):
        products = visible(ProductPage).filter(care_settings=instance)
    elif isinstance(instance, Tag):
        return [
            (
                ChangeKind.PRODUCT,
                visible(ProductPage)
                .filter(tagged_clinical_areas__tag=instance)
                .values_list("pk", flat=True),
            ),
            (
                ChangeKind.CASE_STUDY,
                visible(CaseStudyPage)
                .filter(tagged_items__tag=instance)
                .values_list("pk", flat=True),
            ),
        ]
    else:
        return []
    return [(ChangeKind.PRODUCT, products.values_list("pk", flat=True))]


def snippet_saved(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    kind = SNIPPET_KINDS.get(sender)
    if kind:
        record(kind, [instance.pk], ChangeAction.CREATED if created else ChangeAction.UPDATED)
    if not created:
        for page_kind, pks in pages_showing(instance):
            record(page_kind, pks, ChangeAction.UPDATED)


def snippet_deleting(sender, instance, **kwargs):
    # Before the delete: afterwards, the rows saying which pages carried it are gone.
    for page_kind, pks in pages_showing(instance):
        record(page_kind, pks, ChangeAction.UPDATED)


def snippet_deleted(sender, instance, **kwargs):
    record(SNIPPET_KINDS[sender], [instance.pk], ChangeAction.DELETED)


# --- Formularies -----------------------------------------------------------------------------


def formulary_is_public(pk):
    return pk is not None and Formulary.objects.public().filter(pk=pk).exists()


def remember_formulary(sender, instance, raw=False, **kwargs):
    instance._api_was_public = not raw and formulary_is_public(instance.pk)


def formulary_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    was_public = getattr(instance, "_api_was_public", False)
    instance._api_was_public = False
    if formulary_is_public(instance.pk):
        action = ChangeAction.UPDATED if was_public else ChangeAction.CREATED
    elif was_public:
        action = ChangeAction.UNPUBLISHED
    else:
        return  # a list its members are still preparing
    record(ChangeKind.FORMULARY, [instance.pk], action)


def formulary_deleted(sender, instance, **kwargs):
    if getattr(instance, "_api_was_public", False):
        record(ChangeKind.FORMULARY, [instance.pk], ChangeAction.DELETED)


def formulary_entry_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    if formulary_is_public(instance.formulary_id):
        record(ChangeKind.FORMULARY, [instance.formulary_id], ChangeAction.UPDATED)


def organisations_behind(instance):
    """The organisations whose formularies may become public or stop being public when
    this organisation, membership or person is saved or deleted."""
    if isinstance(instance, Organisation):
        return {instance.pk} - {None}
    if isinstance(instance, Membership):
        before = Membership.objects.filter(pk=instance.pk).values_list("organisation_id", flat=True)
        return ({instance.organisation_id} | set(before if instance.pk else ())) - {None}
    memberships = Membership.objects.filter(user_id=instance.pk)
    return set(memberships.values_list("organisation_id", flat=True)) - {None}


def public_formularies_of(organisation_ids):
    if not organisation_ids:
        return set()
    return set(
        Formulary.objects.public()
        .filter(organisation_id__in=organisation_ids)
        .values_list("pk", flat=True)
    )


def remember_public_formularies(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw or (
        sender is get_user_model()
        and update_fields is not None
        and "is_active" not in update_fields
    ):
        instance._api_formulary_owners = None  # a sign-in's last_login: nothing public moves
        return
    owners = organisations_behind(instance)
    instance._api_formulary_owners = (owners, public_formularies_of(owners))


def public_formularies_changed(sender, instance, raw=False, created=False, **kwargs):
    remembered = getattr(instance, "_api_formulary_owners", None)
    instance._api_formulary_owners = None
    if raw or remembered is None:
        return
    owners, before = remembered
    after = public_formularies_of(owners | organisations_behind(instance))
    record(ChangeKind.FORMULARY, sorted(after - before), ChangeAction.CREATED)
    record(ChangeKind.FORMULARY, sorted(before - after), ChangeAction.UNPUBLISHED)
    if isinstance(instance, Organisation) and not created:
        # Its name, code or region, as each of its formularies shows them.
        record(ChangeKind.FORMULARY, sorted(before & after), ChangeAction.UPDATED)


# --- Wiring ---------------------------------------------------------------------------------

ROW_HANDLERS = (
    (PageViewRestriction, restriction_changed),
    (CaseStudyProduct, case_study_link_changed),
    (BestPracticeProduct, guide_link_changed),
    (ProductCompliance, product_row_changed),
    (Adoption, product_row_changed),
    (EvidenceItem, product_row_changed),
)


def connect():
    """Called from ApiConfig.ready()."""
    for model in PAGE_KINDS:
        pre_save.connect(remember_visibility, sender=model, dispatch_uid=_uid("pre", model))
        post_save.connect(page_saved, sender=model, dispatch_uid=_uid("save", model))
        pre_delete.connect(
            remember_visibility_before_delete, sender=model, dispatch_uid=_uid("predel", model)
        )
        post_delete.connect(page_deleted, sender=model, dispatch_uid=_uid("delete", model))
    post_page_move.connect(page_moved, dispatch_uid=_uid("move", Page))
    page_slug_changed.connect(slug_changed, dispatch_uid=_uid("slug", Page))
    for model, handler in ROW_HANDLERS:
        post_save.connect(handler, sender=model, dispatch_uid=_uid("save", model))
        post_delete.connect(handler, sender=model, dispatch_uid=_uid("delete", model))
    for model in (*SNIPPET_KINDS, Tag):
        post_save.connect(snippet_saved, sender=model, dispatch_uid=_uid("save", model))
        pre_delete.connect(snippet_deleting, sender=model, dispatch_uid=_uid("predel", model))
    for model in SNIPPET_KINDS:
        post_delete.connect(snippet_deleted, sender=model, dispatch_uid=_uid("delete", model))
    pre_save.connect(remember_formulary, sender=Formulary, dispatch_uid=_uid("pre", Formulary))
    post_save.connect(formulary_saved, sender=Formulary, dispatch_uid=_uid("save", Formulary))
    pre_delete.connect(remember_formulary, sender=Formulary, dispatch_uid=_uid("predel", Formulary))
    post_delete.connect(formulary_deleted, sender=Formulary, dispatch_uid=_uid("delete", Formulary))
    for signal, name in ((post_save, "save"), (post_delete, "delete")):
        signal.connect(
            formulary_entry_changed, sender=FormularyEntry, dispatch_uid=_uid(name, FormularyEntry)
        )
    # Who may answer for a formulary decides whether it is public.
    for model in (Organisation, Membership, get_user_model()):
        pre_save.connect(
            remember_public_formularies, sender=model, dispatch_uid=_uid("owners-pre", model)
        )
        post_save.connect(
            public_formularies_changed, sender=model, dispatch_uid=_uid("owners", model)
        )
    for model in (Membership, get_user_model()):
        pre_delete.connect(
            remember_public_formularies, sender=model, dispatch_uid=_uid("owners-predel", model)
        )
        post_delete.connect(
            public_formularies_changed, sender=model, dispatch_uid=_uid("owners-del", model)
        )


def _uid(signal, model):
    return f"api.signals.{signal}.{model._meta.label_lower}"
