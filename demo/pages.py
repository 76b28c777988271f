"""Publish many new Wagtail pages at once, leaving the database as Wagtail itself would.

`add_child()` followed by `save_revision().publish()` costs tens of milliseconds and a
dozen queries per page. `PagePublisher` does the same work for a whole batch in a fixed
number of statements:

- tree positions are computed here, as treebeard does: a child's `path` is its parent's
  path plus its position among siblings in base 36, `steplen` characters wide; `depth`
  follows from the path, and the parent's `numchild` goes up by the batch size;
- `url_path` is the parent's plus the slug, as `Page.set_url_path()` makes it;
- the `wagtailcore_page` rows and the specific table rows are inserted separately, since
  Django's `bulk_create` refuses multi-table models;
- inline child rows (`ParentalKey`) and `ParentalManyToManyField` rows are inserted in bulk;
- one `Revision` per page holds `page.serializable_data()`, as `save_revision()` stores
  it, and becomes both `latest_revision` and `live_revision`.

What is skipped: signals (`page_published` and friends), the audit log, and the search
and reference indexes, which callers update in bulk if they need them.
"""

from operator import attrgetter

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router, transaction
from django.db.models import CharField, ForeignKey, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils.encoding import is_protected_type
from modelcluster.models import (
    get_all_child_m2m_relations,
    get_all_child_relations,
    get_field_value,
)
from wagtail.models import Page, Revision


class BulkRows:
    """Inserts model instances in bulk and gives them their primary keys.

    On PostgreSQL, ids are reserved from each table's sequence and rows are streamed with
    COPY, the fastest way in. (Django 5.2's `bulk_create` there sends each column as one
    array, which psycopg quotes in Python: slow for long text and JSON.) Elsewhere it is
    Django's `bulk_create`, which returns ids on SQLite 3.35 and later.
    """

    def __init__(self, using):
        self.using = using
        self.connection = connections[using]
        self.copy = self.connection.vendor == "postgresql"
        if not self.copy and not self.connection.features.can_return_rows_from_bulk_insert:
            raise RuntimeError(
                "Bulk loading needs a database that returns ids from bulk inserts "
                "(PostgreSQL, or SQLite 3.35 or later)."
            )

    def reserve_ids(self, model, objs):
        """Give objects without a primary key the next ids of `model`'s table (PostgreSQL)."""
        attname = model._meta.pk.attname
        missing = [obj for obj in objs if getattr(obj, attname) is None]
        if not missing:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(missing)],
            )
            for obj, (pk,) in zip(missing, cursor.fetchall(), strict=True):
                setattr(obj, attname, pk)

    def insert(self, model, objs, fields=None):
        """Insert `objs` into `model`'s own table. `fields` defaults to all its columns;
        pass `model._meta.local_concrete_fields` to write only a child table of a
        multi-table model whose parent rows exist."""
        if not objs:
            return objs
        if self.copy:
            self.reserve_ids(model, objs)
            self._copy(model, objs, fields or self._columns(model))
        elif fields is None:
            model._base_manager.using(self.using).bulk_create(objs)
        else:
            batch_size = max(1, self.connection.ops.bulk_batch_size(fields, objs))
            for start in range(0, len(objs), batch_size):
                # What bulk_create would run for this table, were it not multi-table.
                model._base_manager._insert(
                    objs[start : start + batch_size], fields=fields, using=self.using
                )
        for obj in objs:
            obj._state.adding = False
            obj._state.db = self.using
        return objs

    @staticmethod
    def _columns(model):
        return [f for f in model._meta.concrete_fields if not getattr(f, "generated", False)]

    def _copy(self, model, objs, fields):
        connection, quote = self.connection, self.connection.ops.quote_name
        columns = ", ".join(quote(f.column) for f in fields)
        sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
        row = self._row_reader(fields)
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for obj in objs:
                copy.write_row(row(obj))

    def _row_reader(self, fields):
        """A function giving an object's column values as Django would save them.

        Columns whose Python value the driver takes as it is (text, numbers, dates, keys)
        are read straight off the object; the rest (JSON, StreamField, rich text...) go
        through the field's own `get_db_prep_save()`.
        """
        connection = self.connection
        prepared = [
            (position, field)
            for position, field in enumerate(fields)
            if not (
                isinstance(field, ForeignKey)
                or (
                    type(field) in PLAIN_FIELD_TYPES
                    and not getattr(field, "auto_now", False)
                    and not getattr(field, "auto_now_add", False)
                )
            )
        ]
        read = attrgetter(*[f.attname for f in fields])
        if len(fields) == 1:
            plain_read = read

            def read(obj):
                return (plain_read(obj),)

        def row(obj):
            values = list(read(obj))
            for position, field in prepared:
                values[position] = field.get_db_prep_save(field.pre_save(obj, True), connection)
            return values

        return row


# Field types whose attribute value psycopg adapts exactly as Django would save it.
PLAIN_FIELD_TYPES = {
    models.AutoField,
    models.BigAutoField,
    models.BigIntegerField,
    models.BooleanField,
    models.CharField,
    models.DateField,
    models.DateTimeField,
    models.DecimalField,
    models.EmailField,
    models.IntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SlugField,
    models.SmallIntegerField,
    models.TextField,
    models.URLField,
    models.UUIDField,
}


class Serialiser:
    """`page.serializable_data()`, as modelcluster computes it, for pages whose inline rows
    are in memory, a few times faster.

    Columns holding plain values are read straight off the object; anything else goes
    through modelcluster's own `get_field_value()`. tests/demo/test_seed_demo.py checks the
    result against `serializable_data()` of the page read back from the database.
    """

    def __init__(self, model, child_relations, m2m_fields):
        self.page_fields = self._plan(model)
        self.child_fields = {
            accessor: self._plan(related_model) for accessor, related_model, _ in child_relations
        }
        self.child_relations = [accessor for accessor, *_ in child_relations]
        self.m2m_fields = [name for name, *_ in m2m_fields]

    @staticmethod
    def _plan(model):
        pk_field = model._meta.pk
        while pk_field.remote_field and pk_field.remote_field.parent_link:
            pk_field = pk_field.remote_field.model._meta.pk
        plan = [("pk", pk_field)]
        plan += [(field.name, field) for field in model._meta.fields if field.serialize]
        return [
            (
                name,
                field.attname,
                field.remote_field is not None or type(field) in PLAIN_VALUES,
                field,
            )
            for name, field in plan
        ]

    @staticmethod
    def _fields(obj, plan):
        data = {}
        for name, attname, plain, field in plan:
            if plain:
                value = getattr(obj, attname)
                data[name] = value if is_protected_type(value) else str(value)
            else:
                data[name] = get_field_value(field, obj)
        return data

    def serialise(self, page, related):
        data = self._fields(page, self.page_fields)
        for accessor in self.child_relations:
            plan = self.child_fields[accessor]
            data[accessor] = [self._fields(item, plan) for item in related[accessor]]
        for name in self.m2m_fields:
            data[name] = [other.pk for other in related[name]]
        return data


# Field types whose serialised value is the attribute, or its str() if not a number or date:
# the plain types above but for the primary keys and date-times, which go through
# get_field_value like every other field.
PLAIN_VALUES = PLAIN_FIELD_TYPES - {models.AutoField, models.BigAutoField, models.DateTimeField}


class PagePublisher:
    """Publishes new pages of one specific type under one parent.

    Give each page its title, slug, specific fields, `translation_key`,
    `first_published_at` and `last_published_at`, and its inline children assigned in
    memory (`page.evidence = [...]`), as you would before `add_child()`.
    """

    def __init__(self, parent, model):
        if model._meta.get_parent_list() != [Page]:
            raise TypeError(f"{model.__name__} must inherit from Page directly.")
        self.parent_id = parent.pk
        self.model = model
        self.using = router.db_for_write(model)
        self.rows = BulkRows(self.using)
        self.content_type = ContentType.objects.get_for_model(model)
        self.base_content_type = ContentType.objects.get_for_model(Page)
        self.child_relations = [
            (rel.get_accessor_name(), rel.related_model, rel.field.attname)
            for rel in get_all_child_relations(model)
        ]
        self.m2m_fields = []
        for field in get_all_child_m2m_relations(model):
            through = field.remote_field.through
            self.m2m_fields.append(
                (
                    field.name,
                    through,
                    through._meta.get_field(field.m2m_field_name()).attname,
                    through._meta.get_field(field.m2m_reverse_field_name()).attname,
                )
            )
        self.serialiser = Serialiser(model, self.child_relations, self.m2m_fields)

    def publish(self, pages):
        """Insert and publish `pages` (unsaved specific instances); returns them saved."""
        if not pages:
            return pages
        rows = self.rows
        with transaction.atomic(using=self.using):
            parent = Page.objects.select_for_update().get(pk=self.parent_id)
            children = [self._children_in_memory(page) for page in pages]
            self._place_in_tree(parent, pages)
            if rows.copy:
                # Every id is known before anything is written, so each row goes in once;
                # the foreign keys are checked at commit.
                self._reserve_page_ids(pages)
                self._link_children(pages, children)
                revisions = self._revisions(pages, children)
                rows.insert(Page, pages)
                rows.insert(self.model, pages, fields=self.model._meta.local_concrete_fields)
                self._insert_children(pages, children)
                rows.insert(Revision, revisions)
            else:
                rows.insert(Page, pages)
                for page in pages:
                    page.page_ptr_id = page.id
                rows.insert(self.model, pages, fields=self.model._meta.local_concrete_fields)
                self._link_children(pages, children)
                self._insert_children(pages, children)
                revisions = rows.insert(Revision, self._revisions(pages, children))
                self._point_at_revisions(pages, revisions)
            Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(pages))
        return pages

    def _children_in_memory(self, page):
        """The page's inline rows and many-to-many targets, as assigned before saving."""
        related = {
            accessor: list(getattr(page, accessor).all()) for accessor, *_ in self.child_relations
        }
        related.update({name: list(getattr(page, name).all()) for name, *_ in self.m2m_fields})
        return related

    def _place_in_tree(self, parent, pages):
        steplen = Page.steplen
        last_path = (
            Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
            .order_by("-path")
            .values_list("path", flat=True)
            .first()
        )
        position = Page._str2int(last_path[-steplen:]) if last_path else 0
        if position + len(pages) >= len(Page.alphabet) ** steplen:
            raise OverflowError(f"{parent} has no room for {len(pages)} more child pages.")
        for offset, page in enumerate(pages, start=1):
            page.path = Page._get_path(parent.path, parent.depth + 1, position + offset)
            page.depth = parent.depth + 1
            page.numchild = 0
            page.url_path = f"{parent.url_path}{page.slug}/"
            page.content_type_id = self.content_type.pk
            page.locale_id = parent.locale_id
            page.draft_title = page.title
            page.live = True
            page.has_unpublished_changes = False
            page.latest_revision_created_at = page.last_published_at
            page.latest_revision_id = page.live_revision_id = None

    def _reserve_page_ids(self, pages):
        self.rows.reserve_ids(Page, pages)
        for page in pages:
            page.page_ptr_id = page.id

    def _link_children(self, pages, children):
        """Point each inline row at its page, number it, and (on PostgreSQL) give it an id,
        so the revision records the rows as `save_revision()` would."""
        for accessor, related_model, parent_attname in self.child_relations:
            linked = []
            for page, related in zip(pages, children, strict=True):
                for position, item in enumerate(related[accessor]):
                    setattr(item, parent_attname, page.pk)
                    if getattr(item, "sort_order", 0) is None:
                        item.sort_order = position
                linked += related[accessor]
            if self.rows.copy:
                self.rows.reserve_ids(related_model, linked)

    def _insert_children(self, pages, children):
        for accessor, related_model, _ in self.child_relations:
            self.rows.insert(related_model, [item for c in children for item in c[accessor]])
        for name, through, source, target in self.m2m_fields:
            links = [
                through(**{source: page.pk, target: other.pk})
                for page, related in zip(pages, children, strict=True)
                for other in related[name]
            ]
            self.rows.insert(through, links)

    def _revisions(self, pages, children):
        revisions = [
            Revision(
                content_type_id=self.content_type.pk,
                base_content_type_id=self.base_content_type.pk,
                object_id=str(page.pk),
                created_at=page.last_published_at,
                user=None,
                object_str=str(page),
                # As save_revision() stores it: the page before the revision existed.
                content=self.serialiser.serialise(page, related),
                approved_go_live_at=None,
            )
            for page, related in zip(pages, children, strict=True)
        ]
        if self.rows.copy:
            self.rows.reserve_ids(Revision, revisions)
            for page, revision in zip(pages, revisions, strict=True):
                page.latest_revision_id = page.live_revision_id = revision.pk
        return revisions

    def _point_at_revisions(self, pages, revisions):
        latest = (
            Revision.objects.filter(
                base_content_type_id=self.base_content_type.pk,
                object_id=Cast(OuterRef("pk"), CharField()),
            )
            .order_by("-pk")
            .values("pk")[:1]
        )
        Page.objects.filter(pk__in=[page.pk for page in pages]).update(
            latest_revision=Subquery(latest), live_revision=Subquery(latest)
        )
        for page, revision in zip(pages, revisions, strict=True):
            page.latest_revision_id = page.live_revision_id = revision.pk
