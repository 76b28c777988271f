"""The whole public catalogue as open data: one dated zip a day.

Each zip holds the catalogue in the import format (`catalogue.json`, which
`manage.py import_registry` reads back), CSV tables for people who work in spreadsheets,
and a Frictionless Data Package (`datapackage.json`) that describes every table's fields
and carries each file's SHA-256 and size. The zip's own SHA-256 is written beside it.

Only what the public site shows is published: live, public pages; confirmed adoptions;
public formularies (never who added an entry); no contact names, roles or addresses; no
assessment uploads, peer messages or claims.

Streamed: products and case studies are read in batches by id and written as they are
read, so memory stays flat however large the catalogue (bench/open_data.py measures it).
Everything is read in one repeatable-read transaction, so the files agree with each
other; the organisations referred to are known first, so catalogue.json goes straight
into the zip with them at the top, as the import format orders its sections.

On PostgreSQL the database writes most of the bytes: the flat tables as CSV (COPY), and
each product's evidence, compliance and adoption records as the catalogue's JSON. Python
writes the same files from the same querysets elsewhere (SQLite); the tests hold the two
ways to the same bytes.
"""

import csv
import datetime
import hashlib
import io
import json
import os
import re
import tempfile
import zipfile
from collections import namedtuple
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import orjson
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case, Exists, F, Func, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Cast, Coalesce, Concat, NullIf
from django.urls import reverse
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Site

from assessments.models import ProductCompliance, Standard
from formularies.models import Formulary, FormularyEntry
from interchange import exporter
from interchange.schema import (
    ADOPTION,
    COMPLIANCE,
    EVIDENCE,
    FORMAT_NAME,
    FORMAT_VERSION,
    Boolean,
    Date,
    Integer,
    Text,
)
from proof import queries, rules
from registry.models import (
    Adoption,
    CaseStudyPage,
    CaseStudyProduct,
    Category,
    EvidenceItem,
    Organisation,
    ProductClinicalAreaTag,
    ProductPage,
)

BATCH_SIZE = 500
# Half the time of zlib's default level (6) for files some 10% larger: at the default,
# compression is an eighth of a publication's time.
COMPRESS_LEVEL = 4
FILE_PREFIX = "registry-open-data-"
FILE_PATTERN = re.compile(r"^registry-open-data-(\d{4}-\d{2}-\d{2})\.zip$")
LICENCE = {
    "name": "OGL-UK-3.0",
    "title": "Open Government Licence v3.0",
    "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
}
LIST_SEPARATOR = "; "


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Frictionless field type: string, integer, number, date, boolean
    description: str
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple
    primary_key: tuple = ()
    foreign_keys: tuple = ()  # (column, table, column)

    @property
    def path(self):
        return f"{self.name}.csv"

    def schema(self):
        schema = {
            "fields": [
                {
                    "name": column.name,
                    "type": column.type,
                    "description": column.description,
                    **({"constraints": {"required": True}} if column.required else {}),
                }
                for column in self.columns
            ],
            "missingValues": [""],
        }
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": field, "reference": {"resource": table, "fields": target}}
                for field, table, target in self.foreign_keys
            ]
        return schema


PRODUCT_ID = Column(
    "product_id", "string", "The product's id in catalogue.json and the other tables.", True
)
ORGANISATION_ID = Column(
    "organisation_id", "string", "The organisation's id in organisations.csv.", True
)

TABLES = (
    Table(
        "products",
        "Products",
        "One row per product listed in the registry.",
        (
            PRODUCT_ID,
            Column("api_id", "integer", "Permanent id in the API (/api/v1/products/{id}).", True),
            Column("name", "string", "The product's name.", True),
            Column("url", "string", "The product's page on the registry."),
            Column("supplier_id", "string", "The supplier's id in organisations.csv.", True),
            Column("supplier_name", "string", "The supplier's name."),
            Column("summary", "string", "What it does and for whom."),
            Column("category", "string", "Category slug: what the product does."),
            Column("care_settings", "string", "Care setting slugs, separated by '; '."),
            Column("clinical_areas", "string", "Clinical areas, separated by '; '."),
            Column("esf_tier", "string", "NICE Evidence Standards Framework tier: A, B or C."),
            Column("device_class", "string", "MHRA medical device class, or none."),
            Column("conformity_marking", "string", "UKCA or CE marking, or none."),
            Column("pricing_model", "string", "How it is paid for."),
            Column("deployment_model", "string", "How it is deployed."),
            Column("website", "string", "The supplier's page for the product."),
            Column(
                "dtac_state",
                "string",
                "DTAC state on the day of publication: passed, lapsed, not_passed or not_assessed.",
            ),
            Column("dtac_reason", "string", "Why the DTAC state is what it is."),
            Column(
                "standards_met",
                "string",
                "Codes of standards met and unexpired on the day "
                "of publication, separated by '; '.",
            ),
            Column("adoption_count", "integer", "Confirmed adopting organisations."),
            Column("last_reviewed_on", "date", "When the scaling team last checked the listing."),
        ),
        primary_key=("product_id",),
        foreign_keys=(("supplier_id", "organisations", "organisation_id"),),
    ),
    Table(
        "compliance",
        "Standards compliance",
        "One row per product and standard.",
        (
            PRODUCT_ID,
            Column("standard", "string", "The standard's code, such as DCB0129.", True),
            Column("standard_name", "string", "The standard's name."),
            Column(
                "status",
                "string",
                "As assessed: met, partially_met, not_met, in_progress or not_applicable.",
                True,
            ),
            Column(
                "effective_status",
                "string",
                "On the day of publication: expired once the "
                "expiry date has passed, otherwise the status.",
            ),
            Column("assessed_on", "date", "When it was assessed."),
            Column("expires_on", "date", "When it expires, if it does."),
            Column("evidence_url", "string", "Where the evidence for it is published."),
        ),
        foreign_keys=(("product_id", "products", "product_id"),),
    ),
    Table(
        "evidence",
        "Evidence",
        "One row per evidence item of a product.",
        (
            PRODUCT_ID,
            Column("evidence_type", "string", "rct, observational, real_world and so on.", True),
            Column("title", "string", "The study or evaluation.", True),
            Column("year", "integer", "Year of publication or completion."),
            Column("summary", "string", "What was studied, where, and with how many people."),
            Column("outcomes", "string", "What it found."),
            Column("link", "string", "A web address or a DOI."),
        ),
        foreign_keys=(("product_id", "products", "product_id"),),
    ),
    Table(
        "adoptions",
        "Adoptions",
        "One row per organisation confirmed as using a product.",
        (
            PRODUCT_ID,
            ORGANISATION_ID,
            Column("organisation_name", "string", "The adopting organisation."),
            Column("ods_code", "string", "Its Organisation Data Service code, if it has one."),
            Column("region", "string", "Its NHS England region."),
            Column("since", "date", "When it went live there."),
            Column("scale", "string", "How widely it is used there."),
        ),
        foreign_keys=(
            ("product_id", "products", "product_id"),
            ("organisation_id", "organisations", "organisation_id"),
        ),
    ),
    Table(
        "organisations",
        "Organisations",
        "Suppliers, adopters and the organisations of case studies.",
        (
            ORGANISATION_ID,
            Column(
                "api_id", "integer", "Permanent id in the API (/api/v1/organisations/{id}).", True
            ),
            Column("name", "string", "Full name.", True),
            Column("kind", "string", "supplier, nhs_trust, icb, gp_practice and so on.", True),
            Column("ods_code", "string", "Organisation Data Service code."),
            Column("companies_house_number", "string", "For UK companies."),
            Column("region", "string", "NHS England region."),
            Column("website", "string", "Its website."),
        ),
        primary_key=("organisation_id",),
    ),
    Table(
        "case_study_outcomes",
        "Case study outcomes",
        "One row per measured outcome of a case study.",
        (
            Column("case_study_id", "string", "The case study's id in catalogue.json.", True),
            Column("case_study_title", "string", "The case study."),
            Column("case_study_url", "string", "Its page on the registry."),
            ORGANISATION_ID,
            Column("product_ids", "string", "Products it is about, separated by '; '."),
            Column("metric", "string", "What was measured.", True),
            Column("before", "number", "The figure before.", True),
            Column("after", "number", "The figure after.", True),
            Column("unit", "string", "Such as minutes, % or £."),
            Column("period", "string", "Over what period."),
        ),
        foreign_keys=(("organisation_id", "organisations", "organisation_id"),),
    ),
    Table(
        "formularies",
        "Local formularies",
        "One row per formulary: an NHS or care organisation's own list of the products it "
        "approves, as published on its page.",
        (
            Column(
                "formulary_id",
                "integer",
                "Permanent id in the API (/api/v1/formularies/{id}).",
                True,
            ),
            ORGANISATION_ID,
            Column("organisation_name", "string", "The organisation whose list it is."),
            Column("url", "string", "The formulary's page on the registry."),
            Column("introduction", "string", "Who the list is for and how to use it."),
            Column("updated_on", "date", "When its members last changed it."),
        ),
        primary_key=("formulary_id",),
        foreign_keys=(("organisation_id", "organisations", "organisation_id"),),
    ),
    Table(
        "formulary_entries",
        "Local formulary entries",
        "One row per product a formulary approves, with the organisation's note.",
        (
            Column("formulary_id", "integer", "The formulary's id in formularies.csv.", True),
            PRODUCT_ID,
            Column("product_name", "string", "The product's name."),
            Column("note", "string", "How the organisation uses or orders it."),
            Column("added_on", "date", "When it was added to the list."),
        ),
        foreign_keys=(
            ("formulary_id", "formularies", "formulary_id"),
            ("product_id", "products", "product_id"),
        ),
    ),
)
TABLES_BY_NAME = {table.name: table for table in TABLES}
CATALOGUE_FILE = "catalogue.json"


def site_url(url_path):
    base = settings.WAGTAILADMIN_BASE_URL.rstrip("/")
    return f"{base}{url_path}" if url_path else ""


class PageUrls:
    """Public addresses from pages' `url_path`, as Wagtail's `get_url` makes them, with
    the site roots read once instead of once a page."""

    def __init__(self):
        self.roots = [root.root_path for root in Site.get_site_root_paths()]
        self.prefix = reverse("wagtail_serve", args=("",))

    def __call__(self, url_path):
        for root in self.roots:
            if url_path.startswith(root):
                return site_url(self.prefix + url_path[len(root) :])
        return ""


def batches(queryset, size=BATCH_SIZE):
    """Records in id order, `size` at a time, each batch with its own prefetches."""
    last = 0
    while True:
        batch = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not batch:
            return
        yield batch
        last = batch[-1].pk if hasattr(batch[-1], "pk") else batch[-1]["pk"]


def dated_name(day):
    return f"{FILE_PREFIX}{day.isoformat()}.zip"


class HashingFile(io.RawIOBase):
    """A binary file that keeps the SHA-256 and the size of what is written through it, so
    no file is read again to describe it."""

    def __init__(self, target):
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self):
        return True

    def write(self, data):
        self.digest.update(data)
        self.size += len(data)
        self.target.write(data)
        return len(data)

    def close(self):
        if not self.closed:
            self.target.close()
        super().close()

    @property
    def facts(self):
        return self.digest.hexdigest(), self.size


def text_file(target):
    """A UTF-8 text stream onto `target` that hashes as it writes: (stream, hashing file)."""
    hashing = HashingFile(target)
    buffered = io.BufferedWriter(hashing, buffer_size=1 << 20)
    return io.TextIOWrapper(buffered, encoding="utf-8", newline=""), hashing


class Writer:
    """Tables written row by row from Python, each to its own file in a working directory
    (the zip takes one entry at a time), with checksums taken as they are written."""

    def __init__(self, directory, tables):
        self.directory = Path(directory)
        self.tables = tuple(tables)
        self.handles = {}
        self.hashing = {}
        self.writers = {}
        for table in self.tables:
            handle, self.hashing[table.name] = text_file(open(self.directory / table.path, "wb"))  # noqa: SIM115
            self.handles[table.name] = handle
            self.writers[table.name] = csv_writer(handle, table)
        self.counts = dict.fromkeys(self.writers, 0)

    def row(self, table, values):
        self.writers[table].writerow(values)  # the csv module writes None as an empty cell
        self.counts[table] += 1

    def close(self):
        for handle in self.handles.values():
            handle.close()

    def facts(self, table):
        return self.hashing[table.name].facts


def csv_writer(handle, table):
    """A CSV writer onto `handle` that has written the table's header, in the dialect
    PostgreSQL's COPY writes (a comma, minimal quoting, a line feed)."""
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(column.name for column in table.columns)
    return writer


class Catalogue:
    """catalogue.json in the import format, written section by section and record by
    record straight into its zip entry: organisations, products, case studies. Records go
    through orjson, which also takes JSON the database has written (`orjson.Fragment`)."""

    def __init__(self, target):
        self.hashing = HashingFile(target)
        self.handle = io.BufferedWriter(self.hashing, buffer_size=1 << 20)
        opening = f'{{\n"format": {json.dumps(FORMAT_NAME)},\n"version": {FORMAT_VERSION},\n'
        self.handle.write(opening.encode())
        self.section = None
        self.sections = 0
        self.count = 0
        self.counts = {}

    def start(self, section):
        self.handle.write(((",\n" if self.sections else "") + f'"{section}": [').encode())
        self.section = section
        self.sections += 1
        self.count = 0

    def add(self, record):
        self.handle.write(b",\n" if self.count else b"\n")
        self.handle.write(orjson.dumps(record))
        self.count += 1

    def end(self):
        self.handle.write(b"\n]" if self.count else b"]")
        self.counts[self.section] = self.count

    def close(self):
        self.handle.write(b"\n}\n")
        self.handle.close()


# --- Products, read as rows --------------------------------------------------------------------
# A product has some 30 compliance rows; building a model instance for each of millions of
# rows is most of the cost of a publication. Products are read with `values()` into light
# objects carrying exactly the attributes `exporter.product_record` reads, so the exporter
# stays the one definition of a record and the import format. On PostgreSQL the nested
# records come as JSON the database wrote from the format's own field list (`record_lists`).


class Rows(list):
    """A prefetched relation: `product.compliance.all()` on a plain list."""

    def all(self):
        return self


#: What `product_record` and the proof rules read of a compliance row (Python's way).
ComplianceRow = namedtuple(
    "ComplianceRow",
    "standard status assessed_on expires_on evidence_url notes",
)


def row_object(values, **extra):
    return SimpleNamespace(**values, **extra)


PRODUCT_COLUMNS = (
    "pk", "external_id", "title", "slug", "url_path", "summary", "esf_tier",
    "device_class", "conformity_marking", "pricing_model", "deployment_model", "website",
    "last_reviewed_on", "supplier_id", "category_id", "processes_personal_data",
)  # fmt: skip
ORGANISATION_COLUMNS = (
    "pk", "external_id", "name", "kind", "ods_code", "companies_house_number", "region",
    "website",
)  # fmt: skip


def published_products():
    return ProductPage.objects.live().public()


def published_case_studies():
    """Live, public case studies about at least one published product (the import refuses
    a case study without products)."""
    return (
        CaseStudyPage.objects.live()
        .public()
        .filter(Exists(CaseStudyProduct.objects.filter(
            case_study_id=OuterRef("pk"), product__in=published_products()
        )))
    )  # fmt: skip


def published_organisations():
    """Every organisation a published record refers to: the suppliers and confirmed
    adopters of published products, the organisations of published case studies and of
    public formularies. Known before any product is written, so catalogue.json can give
    them first and every table's references resolve."""
    # EXISTS, which each organisation answers from an index: `pk IN (subquery)` joined by
    # OR rescans the adoptions for every organisation once they outgrow work_mem.
    products = published_products()
    referred = (
        Exists(products.filter(supplier_id=OuterRef("pk")))
        | Exists(Adoption.objects.filter(
            organisation_id=OuterRef("pk"), confirmed=True, product__in=products
        ))
        | Exists(published_case_studies().filter(organisation_id=OuterRef("pk")))
        | Exists(Formulary.objects.public().filter(organisation_id=OuterRef("pk")))
    )  # fmt: skip
    return Organisation.objects.filter(referred)


# --- Flat tables, written by the database -------------------------------------------------------
# Compliance alone is some 30 rows a product. Each flat table is one queryset whose columns
# are the table's, in order; on PostgreSQL the database writes it as CSV (COPY ... TO
# STDOUT), streamed into its zip entry, and elsewhere (SQLite) Python's csv module writes
# the same rows in the same dialect. tests/api/test_open_data.py holds the two paths to the
# same bytes.

#: The tables the database writes whole, in the order they go into the zip.
FLAT_TABLES = ("organisations", "compliance", "evidence", "adoptions")
DOCUMENT_URLS = "open_data_document_url"


def text(name):
    """A text column with "" read as NULL: both paths then write an empty cell (COPY writes
    an empty string as a quoted "")."""
    return NullIf(F(name), Value(""), output_field=TextField())


class DocumentUrl(Func):
    """The public address of a compliance row's evidence document, from the temporary table
    `document_urls` fills (Wagtail makes each address)."""

    template = f"(SELECT url FROM {DOCUMENT_URLS} WHERE id = %(expressions)s)"  # noqa: S608 (a fixed name)
    output_field = TextField()


@contextmanager
def document_urls():
    """A temporary table of the address of every document behind a published compliance row
    with no link of its own (few: most evidence is a link)."""
    wanted = (
        ProductCompliance.objects.filter(
            product__in=published_products(), evidence_url="", evidence_document__isnull=False
        )
        .values_list("evidence_document_id", flat=True)
        .distinct()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {DOCUMENT_URLS}")
        cursor.execute(f"CREATE TEMPORARY TABLE {DOCUMENT_URLS} (id integer PRIMARY KEY, url text)")
        for batch in batches(Document.objects.filter(pk__in=wanted).order_by("pk")):
            cursor.executemany(
                f"INSERT INTO {DOCUMENT_URLS} (id, url) VALUES (%s, %s)",  # noqa: S608 (a fixed name)
                [(document.pk, site_url(document.url)) for document in batch],
            )
        yield
        cursor.execute(f"DROP TABLE {DOCUMENT_URLS}")


def flat_tables(day):
    """{table name: its rows as a values_list queryset, ordered}. Every column is an
    expression, so the SQL selects them in the table's order (values_list puts plain fields
    before annotations in SQL and reorders only in Python)."""
    products = published_products()
    product_id = exporter.record_id_expression("product", "product__")
    organisation_id = exporter.record_id_expression("organisation", "organisation__")
    return {
        "organisations": published_organisations()
        .order_by("pk")
        .values_list(
            exporter.record_id_expression("organisation"), F("pk"), text("name"), text("kind"),
            text("ods_code"), text("companies_house_number"), text("region"), text("website"),
        ),
        "compliance": ProductCompliance.objects.filter(product__in=products)
        .order_by("product_id", "sort_order", "pk")
        .values_list(
            product_id, text("standard__code"), text("standard__name"), text("status"),
            queries.effective_status(day), F("assessed_on"), F("expires_on"),
            Coalesce(
                text("evidence_url"), DocumentUrl("evidence_document_id"), output_field=TextField()
            ),
        ),
        "evidence": EvidenceItem.objects.filter(product__in=products)
        .order_by("product_id", "sort_order", "pk")
        .values_list(
            product_id, text("evidence_type"), text("title"), F("year"), text("summary"),
            text("outcomes"), text("link"),
        ),
        "adoptions": Adoption.objects.filter(product__in=products, confirmed=True)
        .order_by("product_id", "sort_order", "pk")
        .values_list(
            product_id, organisation_id, text("organisation__name"),
            text("organisation__ods_code"), text("organisation__region"), F("since"),
            text("scale"),
        ),
    }  # fmt: skip


def copy_table(queryset, table, target):
    """PostgreSQL writes the rows as CSV with a header (COPY ... TO STDOUT), streamed into
    the binary file `target`; returns the number of rows."""
    sql, params = queryset.query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(column.name) for column in table.columns)
    statement = (
        f"COPY (SELECT * FROM ({sql}) AS flat ({columns})) TO STDOUT WITH (FORMAT csv, HEADER)"  # noqa: S608 (a compiled queryset, its values bound as parameters, and column names)
    )
    with connection.cursor() as cursor:
        with cursor.cursor.copy(statement, params) as copy:
            for block in copy:
                target.write(block)
        return cursor.cursor.rowcount


def write_table(queryset, table, target):
    """Python writes the same rows as `copy_table`, in the same dialect (for SQLite)."""
    handle = io.TextIOWrapper(target, encoding="utf-8", newline="")
    writer = csv_writer(handle, table)
    count = 0
    for values in queryset.iterator(chunk_size=2000):
        writer.writerow(values)
        count += 1
    handle.detach()
    return count


def write_flat_tables(archive, day, in_database):
    """Each flat table straight into its zip entry: {name: (sha256, size)}, {name: rows}."""
    facts, counts = {}, {}
    with document_urls():
        for name, queryset in flat_tables(day).items():
            table = TABLES_BY_NAME[name]
            hashing = HashingFile(archive.open(zip_entry(table.path), "w", force_zip64=True))
            with io.BufferedWriter(hashing, buffer_size=1 << 20) as target:
                write = copy_table if in_database else write_table
                counts[name] = write(queryset, table, target)
            facts[name] = hashing.facts
    return facts, counts


def in_span(field, span):
    """Ids from first to last: a batch's relations, found by a range instead of a list."""
    first, last = span
    return Q(**{f"{field}__gte": first, f"{field}__lte": last})


def grouped(queryset, key):
    groups = {}
    for item in queryset:
        groups.setdefault(item[key], Rows()).append(item)
    return groups


def product_batches(organisations, day, in_database):
    """Batches of light product objects with their relations, as `product_record` and the
    products table read them (confirmed adoptions only). `organisations`: {pk: light
    organisation}.

    `in_database`: PostgreSQL writes each product's evidence, compliance and adoptions as
    the catalogue's JSON (`record_lists`) and says which standards are met; Python reads
    only the rows the DTAC state depends on. Otherwise every row is read and Python builds
    the records, as `export_registry` does."""
    categories = dict(Category.objects.values_list("pk", "slug"))
    standards = {
        pk: SimpleNamespace(pk=pk, code=code, name=name)
        for pk, code, name in Standard.objects.values_list("pk", "code", "name")
    }
    # The description as its stored JSON: a StreamValue for each product costs more than
    # the rest of its record (stream_to_paragraphs reads only the raw data).
    products = published_products().values(
        *PRODUCT_COLUMNS, description_json=Cast("description", TextField())
    )
    for batch in batches(products):
        pks = [values["pk"] for values in batch]
        # The batch's relations by a range of ids, not a list of 500 (quicker to send and
        # to plan); rows of unpublished products in the range are read and never used.
        span = (pks[0], pks[-1])
        care_settings = grouped(
            ProductPage.care_settings.through.objects.filter(in_span("productpage_id", span))
            .order_by("caresetting__slug")
            .values("productpage_id", slug=F("caresetting__slug")),
            "productpage_id",
        )
        tags = grouped(
            ProductClinicalAreaTag.objects.filter(in_span("content_object_id", span)).values(
                "content_object_id", name=F("tag__name")
            ),
            "content_object_id",
        )
        if in_database:
            relations = database_relations(span, standards, day)
        else:
            relations = python_relations(span, standards, organisations)
        loaded = []
        for values in batch:
            pk = values["pk"]
            description = SimpleNamespace(raw_data=orjson.loads(values.pop("description_json")))
            loaded.append(
                row_object(
                    values,
                    description=description,
                    supplier=organisations[values["supplier_id"]],
                    category=SimpleNamespace(slug=categories[values["category_id"]]),
                    care_settings=Rows(
                        SimpleNamespace(slug=row["slug"]) for row in care_settings.get(pk, ())
                    ),
                    tagged_clinical_areas=Rows(
                        SimpleNamespace(tag=SimpleNamespace(name=row["name"]))
                        for row in tags.get(pk, ())
                    ),
                    **relations(pk),
                )
            )
        yield loaded


RELATIONS = ("evidence", "compliance", "adoptions")


def python_relations(span, standards, organisations):
    """Every evidence item, compliance row and confirmed adoption of the products whose ids
    are in `span` (first, last):
    pk -> their attributes for the product object."""
    evidence = grouped(
        EvidenceItem.objects.filter(in_span("product_id", span))
        .order_by("sort_order", "pk")
        .values("product_id", "evidence_type", "title", "year", "summary", "outcomes", "link"),
        "product_id",
    )
    compliance = {}
    for product_pk, *row in (
        ProductCompliance.objects.filter(in_span("product_id", span))
        .order_by("sort_order", "pk")
        .values_list(
            "product_id", "standard_id", "status", "assessed_on", "expires_on",
            "evidence_url", "notes",
        )
    ):  # fmt: skip
        compliance.setdefault(product_pk, []).append(row)
    adoptions = grouped(
        Adoption.objects.filter(in_span("product_id", span), confirmed=True)
        .order_by("sort_order", "pk")
        .values("product_id", "organisation_id", "since", "scale", "confirmed"),
        "product_id",
    )

    def relations(pk):
        product_adoptions = Rows(
            row_object(
                row,
                contact_email="",  # never published
                organisation=organisations[row["organisation_id"]],
            )
            for row in adoptions.get(pk, ())
        )
        product_compliance = Rows(
            ComplianceRow(standards[standard_pk], *rest)
            for standard_pk, *rest in compliance.get(pk, ())
        )
        return {
            "evidence": Rows(row_object(row) for row in evidence.get(pk, ())),
            "compliance": product_compliance,
            "dtac_rows": product_compliance,
            "adoptions": product_adoptions,
            "adoption_count": len(product_adoptions),
            "standards_met": None,
            "records": {},
        }

    return relations


#: What the DTAC rule reads of a compliance row.
DtacRow = namedtuple("DtacRow", "standard status expires_on")


def database_relations(span, standards, day):
    """What `python_relations` gives, with the evidence, compliance and adoption records
    written by PostgreSQL as JSON (`records`), the standards met said by SQL (proof.queries)
    and, as compliance, only the rows the DTAC state reads (rules.DTAC_READS)."""
    # With the compliance records, in the same scan: the codes met on the day (NULL for
    # the others, which string_agg leaves out) and "code,status,expiry" of each row the
    # DTAC reads.
    met = Case(When(queries.met_on_q(day), then=F("standard__code")), default=None)
    dtac_facts = Case(
        When(
            standard__code__in=rules.DTAC_READS,
            then=Concat(
                F("standard__code"), Value(","), F("status"), Value(","),
                Coalesce(Cast("expires_on", TextField()), Value(""), output_field=TextField()),
                output_field=TextField(),
            ),
        ),
        default=None,
    )  # fmt: skip
    records = {
        "evidence": record_lists(
            EVIDENCE, EvidenceItem.objects.filter(in_span("product_id", span)), {}
        ),
        "compliance": record_lists(
            COMPLIANCE,
            ProductCompliance.objects.filter(in_span("product_id", span)),
            {"standard": F("standard__code")},
            lists=((met, LIST_SEPARATOR), (dtac_facts, ";")),
        ),
        "adoptions": record_lists(
            ADOPTION,
            Adoption.objects.filter(in_span("product_id", span), confirmed=True),
            {
                "organisation": exporter.record_id_expression("organisation", "organisation__"),
                "contact_email": Value(""),  # never published
            },
        ),
    }
    standards_by_code = {standard.code: standard for standard in standards.values()}

    def dtac_row(fact):
        code, status, expires_on = fact.split(",")
        expires_on = datetime.date.fromisoformat(expires_on) if expires_on else None
        return DtacRow(standards_by_code[code], status, expires_on)

    standards_met, dtac_rows = {}, {}
    for pk, (_, _, codes_met, facts) in records["compliance"].items():
        standards_met[pk] = codes_met or ""
        dtac_rows[pk] = [dtac_row(fact) for fact in facts.split(";")] if facts else []

    def relations(pk):
        return {
            "evidence": Rows(),
            "compliance": Rows(),
            "dtac_rows": dtac_rows.get(pk, ()),
            "adoptions": Rows(),
            "adoption_count": records["adoptions"].get(pk, ("", 0))[1],
            "standards_met": standards_met.get(pk, ""),
            "records": {
                name: orjson.Fragment(found[pk][0] if pk in found else "[]")
                for name, found in records.items()
            },
        }

    return relations


#: Kinds whose `dump` writes what PostgreSQL's JSON writes of the column itself.
JSON_KINDS = (Text, Date, Integer, Boolean)


def record_lists(spec, queryset, given, lists=()):
    """{product pk: (its records of one relation as JSON text, how many, *lists)}, written
    by PostgreSQL in the import format's shape: `spec`'s keys in order, each value from
    `given` (an expression by key) or the model field it names, in sort order. The JSON is
    compact, as orjson writes it, so it goes into catalogue.json as it is.

    `lists`: (expression, separator) pairs, each read from the same rows and joined in the
    same order (NULLs left out), or NULL when none has a value."""
    columns = []
    for field in spec.fields:
        if field.key in given:
            columns.append(given[field.key])
        elif field.kind.scalar and isinstance(field.kind, JSON_KINDS):
            columns.append(F(field.attr))
        else:
            raise ValueError(f"{spec.noun} {field.key}: give its value as an expression.")
    extra = [expression for expression, _ in lists]
    rows = queryset.order_by().values_list(
        F("product_id"), F("sort_order"), F("pk"), *columns, *extra
    )
    sql, params = rows.query.sql_with_params()
    keys = [connection.ops.quote_name(field.key) for field in spec.fields]
    names = [*keys, *(f"_list{index}" for index in range(len(lists)))]
    order = "ORDER BY rows._order, rows._pk"
    joined = "".join(f", string_agg(rows._list{index}, %s {order})" for index in range(len(lists)))
    records = f"string_agg(row_to_json(record)::text, ',' {order})"
    statement = (
        f"SELECT rows._product, '[' || {records} || ']', count(*){joined} "  # noqa: S608 (see below)
        f"FROM ({sql}) AS rows (_product, _order, _pk, {', '.join(names)}) "
        f"CROSS JOIN LATERAL (SELECT {', '.join(f'rows.{key}' for key in keys)}) AS record "
        "GROUP BY rows._product"
    )  # a compiled queryset (its values bound as parameters) and the format's field keys
    with connection.cursor() as cursor:
        cursor.execute(statement, [*(separator for _, separator in lists), *params])
        return {pk: values for pk, *values in cursor.fetchall()}


def write_organisations(catalogue):
    """Every organisation referred to, in catalogue.json (organisations.csv is a flat
    table); returns {pk: light organisation with its `record_id`}, which every later
    record refers to."""
    organisations = {}
    catalogue.start("organisations")
    for values in published_organisations().order_by("pk").values(*ORGANISATION_COLUMNS).iterator(
        chunk_size=BATCH_SIZE
    ):  # fmt: skip
        organisation = row_object(values)
        organisation.record_id = exporter.organisation_id(organisation)
        organisations[organisation.pk] = organisation
        catalogue.add(exporter.organisation_record(organisation, organisation.record_id))
    catalogue.end()
    return organisations


def write_products(writer, catalogue, organisations, today, urls, in_database):
    """Returns {pk: record id} of the products written."""
    product_ids = {}

    def organisation_ref(pk):
        return organisations[pk].record_id

    catalogue.start("products")
    for batch in product_batches(organisations, today, in_database):
        for product in batch:
            record_id = exporter.product_id(product)
            product_ids[product.pk] = record_id
            record = exporter.product_record(product, record_id, organisation_ref)
            record.update(product.records)  # the database's JSON, when it wrote it
            catalogue.add(record)
            write_product_row(writer, product, record_id, today, urls)
    catalogue.end()
    return product_ids


def write_product_row(writer, product, record_id, today, urls):
    dtac = rules.dtac(product.dtac_rows, today)
    if product.standards_met is None:
        standards_met = LIST_SEPARATOR.join(
            row.standard.code for row in product.compliance if rules.is_met_on(row, today)
        )
    else:
        standards_met = product.standards_met
    writer.row(
        "products",
        (
            record_id,
            product.pk,
            product.title,
            urls(product.url_path),
            product.supplier.record_id,
            product.supplier.name,
            product.summary,
            product.category.slug,
            LIST_SEPARATOR.join(setting.slug for setting in product.care_settings),
            LIST_SEPARATOR.join(
                exporter.sorted_tags(item.tag.name for item in product.tagged_clinical_areas)
            ),
            product.esf_tier,
            product.device_class,
            product.conformity_marking,
            product.pricing_model,
            product.deployment_model,
            product.website,
            dtac.state,
            dtac.reason,
            standards_met,
            product.adoption_count,
            product.last_reviewed_on,
        ),
    )


def write_case_studies(writer, catalogue, organisations, product_ids, urls):
    # The exporter's queryset prefetches the outcomes in their editors' order.
    queryset = exporter.case_study_queryset().filter(pk__in=published_case_studies().values("pk"))
    catalogue.start("case_studies")
    for batch in batches(queryset):
        for case_study in batch:
            organisation_ref = organisations[case_study.organisation_id].record_id
            record_id = exporter.case_study_id(case_study)
            record = exporter.case_study_record(
                case_study, record_id, lambda pk, ref=organisation_ref: ref, product_ids.get
            )
            for name in ("contact_name", "contact_role", "contact_email"):
                record[name] = ""
            catalogue.add(record)
            for outcome in case_study.outcomes.all():
                writer.row(
                    "case_study_outcomes",
                    (
                        record_id,
                        case_study.title,
                        urls(case_study.url_path),
                        organisation_ref,
                        LIST_SEPARATOR.join(record["products"]),
                        outcome.metric,
                        outcome.before,
                        outcome.after,
                        outcome.unit,
                        outcome.period,
                    ),
                )
    catalogue.end()


def write_formularies(writer, organisations, product_ids):
    """Public formularies (few: one an organisation) and their entries for published
    products. Never who added an entry, nor any list that is not public."""
    queryset = Formulary.objects.public().order_by("pk")
    for formulary in queryset.iterator(chunk_size=BATCH_SIZE):
        organisation = organisations[formulary.organisation_id]
        writer.row(
            "formularies",
            (
                formulary.pk,
                organisation.record_id,
                organisation.name,
                site_url(reverse("formulary", args=[organisation.pk])),
                formulary.introduction,
                timezone.localdate(formulary.updated_at),
            ),
        )
    entries = (
        FormularyEntry.objects.filter(formulary__in=queryset, product__in=published_products())
        .order_by("formulary_id", "product__title", "product_id")
        .values_list("formulary_id", "product_id", "product__title", "note", "added_at")
    )
    for formulary_pk, product_pk, title, note, added_at in entries.iterator(chunk_size=BATCH_SIZE):
        writer.row(
            "formulary_entries",
            (
                formulary_pk,
                product_ids[product_pk],
                title,
                note,
                timezone.localdate(added_at),
            ),
        )


def file_facts(path):
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def datapackage(day, facts, counts, catalogue):
    resources = []
    for table in TABLES:
        digest, size = facts[table.name]
        resources.append(
            {
                "name": table.name,
                "title": table.title,
                "description": f"{table.description} {counts[table.name]:,} rows.",
                "path": table.path,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "hash": f"sha256:{digest}",
                "bytes": size,
                "schema": table.schema(),
            }
        )
    digest, size = catalogue.hashing.facts
    resources.append(
        {
            "name": "catalogue",
            "title": "Catalogue in the import format",
            "description": "Organisations, products and case studies as one JSON document, in "
            "the format manage.py import_registry reads (docs/import-format.md).",
            "path": CATALOGUE_FILE,
            "format": "json",
            "mediatype": "application/json",
            "encoding": "utf-8",
            "hash": f"sha256:{digest}",
            "bytes": size,
        }
    )
    return {
        "profile": "data-package",
        "name": f"nhs-registry-open-data-{day.isoformat()}",
        "title": "Registry of proven digital health products: open data",
        "description": "Every product listed in the registry with its evidence, standards "
        "compliance and confirmed adoptions, the organisations involved, the measured "
        "outcomes of case studies and organisations' published formularies, as published "
        "on the day in `created`.",
        "version": day.isoformat(),
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "licenses": [LICENCE],
        "resources": resources,
    }


def zip_entry(name):
    """An entry written from memory or a stream, dated now and readable by all, as the
    entries copied from files are."""
    entry = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    # ZipFile.open takes no level: its own ZipInfo carries it under this name (3.11 to
    # 3.13, where `compress_level` became its public alias).
    entry._compresslevel = COMPRESS_LEVEL
    entry.external_attr = 0o644 << 16
    return entry


@contextmanager
def snapshot():
    """Every query of a publication reads one consistent state of the registry
    (PostgreSQL's repeatable read), so each table's references resolve even while people
    edit; inside a transaction already begun (a test's), that transaction's state."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


@dataclass(frozen=True)
class Publication:
    path: Path
    sha256: str
    size: int
    counts: dict


def publish(destination=None, day=None, keep=None, in_database=None):
    """Write today's zip to `destination` (OPEN_DATA_ROOT), replacing one of the same day,
    and delete all but the newest `keep` (OPEN_DATA_KEEP).

    The flat tables go first, each straight into its zip entry (written by PostgreSQL when
    `in_database`, the default there); then catalogue.json streams into its entry while
    the tables written row by row from Python wait in a working directory until it is
    closed (a zip takes one entry at a time). Checksums are taken as each file is written.
    """
    destination = Path(destination or settings.OPEN_DATA_ROOT)
    day = day or timezone.localdate()
    keep = settings.OPEN_DATA_KEEP if keep is None else keep
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / dated_name(day)
    partial = destination / f".{target.name}.partial"
    row_tables = [table for table in TABLES if table.name not in FLAT_TABLES]
    try:
        with (
            tempfile.TemporaryDirectory(prefix="open-data-") as working,
            zipfile.ZipFile(
                partial, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
            ) as archive,
            snapshot(),
        ):
            facts, counts = write_flat_tables(archive, day, in_database)
            writer = Writer(working, row_tables)
            catalogue = Catalogue(archive.open(zip_entry(CATALOGUE_FILE), "w", force_zip64=True))
            try:
                urls = PageUrls()
                organisations = write_organisations(catalogue)
                product_ids = write_products(
                    writer, catalogue, organisations, day, urls, in_database
                )
                write_case_studies(writer, catalogue, organisations, product_ids, urls)
                write_formularies(writer, organisations, product_ids)
            finally:
                writer.close()
                catalogue.close()
            for table in row_tables:
                archive.write(Path(working) / table.path, table.path)
                facts[table.name] = writer.facts(table)
            counts.update(writer.counts)
            package = datapackage(day, facts, counts, catalogue)
            archive.writestr(
                zip_entry("datapackage.json"),
                json.dumps(package, indent=2, ensure_ascii=False) + "\n",
            )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    counts = {
        **{table.name: counts[table.name] for table in TABLES},
        "catalogue_products": catalogue.counts["products"],
    }
    digest, size = file_facts(partial)
    os.replace(partial, target)  # readers never see half a file
    (destination / f"{target.name}.sha256").write_text(f"{digest}  {target.name}\n")
    prune(destination, keep)
    return Publication(target, digest, size, counts)


def publications(destination=None):
    """The published zips, newest first: (day, path, size, sha256)."""
    destination = Path(destination or settings.OPEN_DATA_ROOT)
    if not destination.is_dir():
        return []
    found = []
    for path in destination.iterdir():
        match = FILE_PATTERN.match(path.name)
        if not match:
            continue
        checksum_file = path.with_name(f"{path.name}.sha256")
        digest = checksum_file.read_text().split()[0] if checksum_file.exists() else ""
        found.append(
            {
                "day": datetime.date.fromisoformat(match.group(1)),
                "name": path.name,
                "path": path,
                "size": path.stat().st_size,
                "sha256": digest,
            }
        )
    return sorted(found, key=lambda item: item["day"], reverse=True)


def prune(destination, keep):
    for item in publications(destination)[keep:]:
        item["path"].unlink(missing_ok=True)
        item["path"].with_name(f"{item['name']}.sha256").unlink(missing_ok=True)
