"""Side-by-side comparison of up to four products.

A visitor's choice is kept in the session as product ids; the comparison page also answers
a shareable address, `/compare/?products=slug-one,slug-two`, which never touches the
session. Either way the products are read afresh: one unpublished since it was chosen is
dropped with a notice, and slugs or ids that name no live product are ignored with one.

Every row is built from `ProductProof`, the same loader the product page uses, so a
comparison can never say something the product page does not.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from proof.product import ProductProof
from proof.rules import DTAC_SECTION_REQUIREMENTS, DtacState
from proof.templatetags.proof_tags import COMPLIANCE_TAG_COLOURS, dtac_colour
from registry.choices import EvidenceType
from registry.models import ProductPage
from registry.templatetags.registry_tags import measure

MAX_PRODUCTS = 4
SESSION_KEY = "compare"
MAX_SLUGS_READ = 20  # of a shared address: anything past this is ignored, not looked up
MISSING = ("Missing", "grey")


# --- The products being compared ------------------------------------------------------------


def comparable_products():
    return ProductPage.objects.live().public().select_related("supplier", "category")


def session_ids(session):
    ids = []
    for value in session.get(SESSION_KEY, []):
        if isinstance(value, int) and value not in ids:
            ids.append(value)
    return ids[:MAX_PRODUCTS]


def add(session, product):
    """Add a product to the session's comparison. Returns (added, message)."""
    ids = session_ids(session)
    if product.pk in ids:
        return False, f"{product.title} is already in your comparison."
    if len(ids) >= MAX_PRODUCTS:
        return False, (
            f"You can compare up to {MAX_PRODUCTS} products. Remove one from your comparison "
            f"before adding {product.title}."
        )
    session[SESSION_KEY] = [*ids, product.pk]
    return True, f"{product.title} added to your comparison."


def remove(session, product_id):
    session[SESSION_KEY] = [pk for pk in session_ids(session) if pk != product_id]


def clear(session):
    session.pop(SESSION_KEY, None)


def from_session(session):
    """The session's products, in the order chosen, and notices for any since unpublished
    (which are dropped from the session too)."""
    ids = session_ids(session)
    found = comparable_products().in_bulk(ids)
    notices = []
    if len(found) < len(ids):
        gone = len(ids) - len(found)
        notices.append(
            "A product you chose is no longer published, so we removed it from your comparison."
            if gone == 1
            else f"{gone} products you chose are no longer published, so we removed them "
            "from your comparison."
        )
        session[SESSION_KEY] = [pk for pk in ids if pk in found]
    return [found[pk] for pk in ids if pk in found], notices


def from_address(raw):
    """Products named in a shared address (`slug-one,slug-two`; ids work too), in that
    order, and notices for names that match no live product or go past the limit."""
    names = []
    for name in (raw or "").split(",")[:MAX_SLUGS_READ]:
        name = name.strip()[:255]
        if name and name not in names:
            names.append(name)
    ids = [int(name) for name in names if name.isdigit()]
    slugs = [name for name in names if not name.isdigit()]
    products = comparable_products().filter(Q(slug__in=slugs) | Q(pk__in=ids))
    by_name = {}
    for product in products:
        by_name[product.slug] = product
        by_name[str(product.pk)] = product
    chosen = []
    unknown = 0
    for name in names:
        product = by_name.get(name)
        if product is None:
            unknown += 1
        elif product not in chosen:
            chosen.append(product)
    notices = []
    if unknown:
        notices.append(
            "One product in this address was not found or is no longer published, so it is "
            "not shown."
            if unknown == 1
            else f"{unknown} products in this address were not found or are no longer "
            "published, so they are not shown."
        )
    if len(chosen) > MAX_PRODUCTS:
        notices.append(
            f"You can compare up to {MAX_PRODUCTS} products, so we are showing the first "
            f"{MAX_PRODUCTS}."
        )
        chosen = chosen[:MAX_PRODUCTS]
    return chosen, notices


def share_query(products):
    return ",".join(product.slug for product in products)


# --- The comparison -------------------------------------------------------------------------


@dataclass
class Cell:
    text: str
    colour: str = ""  # a status tag colour, when the value is a status
    items: list = field(default_factory=list)  # a list to show instead of text
    note: str = ""  # words under a status tag, such as why the DTAC lapsed


@dataclass
class Row:
    label: str
    cells: list
    differs: bool = False
    is_section: bool = False  # a DTAC section, indented under DTAC


@dataclass
class Section:
    heading: str
    slug: str
    rows: list


def _cell_key(cell):
    return (cell.text, tuple(cell.items), cell.note)


def _row(label, cells, **kwargs):
    differs = len(cells) > 1 and len({_cell_key(cell) for cell in cells}) > 1
    return Row(label=label, cells=cells, differs=differs, **kwargs)


def _list_cell(items, empty):
    items = list(items)
    return Cell(text="; ".join(items) if items else empty, items=items)


def _status_cell(row):
    if row is None:
        return Cell(*MISSING)
    return Cell(
        row.effective_status_label, COMPLIANCE_TAG_COLOURS.get(row.effective_status, "grey")
    )


def _dtac_cell(dtac):
    """A DTAC state from proof.rules; lapsed and not passed say why."""
    says_why = dtac.state in (DtacState.LAPSED, DtacState.NOT_PASSED)
    return Cell(dtac.label, dtac_colour(dtac), note=dtac.reason if says_why else "")


def _standard_cell(proof, standard, row):
    if proof is not None and standard.code == "DTAC":
        return _dtac_cell(proof.dtac)
    if proof is not None and standard.code in DTAC_SECTION_REQUIREMENTS and row is not None:
        return _dtac_cell(proof.dtac_sections[standard.code])
    return _status_cell(row)


def headline_outcomes(proof, limit=3):
    """'Metric: before → after unit (organisation)' for the product's latest case studies."""
    lines = []
    for study in proof.case_studies:
        for outcome in study.headline_outcomes:
            lines.append(
                f"{outcome.metric}: {measure(outcome.before, outcome.unit)} to "
                f"{measure(outcome.after, outcome.unit)} ({study.organisation.name})"
            )
            if len(lines) >= limit:
                return lines
    return lines


class Comparison:
    """The rows of a comparison, aligned: row N means the same thing in every column."""

    def __init__(self, products):
        self.products = list(products)
        self.proofs = ProductProof.load_many(self.products)
        self.sections = self._build() if self.products else []

    @property
    def differing_count(self):
        return sum(1 for section in self.sections for row in section.rows if row.differs)

    def only_differences(self):
        """The same comparison with only the rows that differ (sections left empty go)."""
        sections = []
        for section in self.sections:
            rows = [row for row in section.rows if row.differs]
            if rows:
                sections.append(Section(section.heading, section.slug, rows))
        return sections

    def _per_product(self, label, value, **kwargs):
        return _row(label, [value(product, proof) for product, proof in self._pairs()], **kwargs)

    def _pairs(self):
        return list(zip(self.products, self.proofs, strict=True))

    def _build(self):
        text = Cell
        overview = Section(
            "Overview",
            "overview",
            [
                self._per_product("Supplier", lambda p, _: text(p.supplier.name)),
                self._per_product("Category", lambda p, _: text(p.category.name)),
                self._per_product("NICE ESF tier", lambda p, _: text(p.get_esf_tier_display())),
                self._per_product(
                    "Medical device class", lambda p, _: text(p.get_device_class_display())
                ),
                self._per_product(
                    "UKCA or CE marking", lambda p, _: text(p.get_conformity_marking_display())
                ),
                self._per_product("Pricing", lambda p, _: text(p.get_pricing_model_display())),
                self._per_product(
                    "Deployment", lambda p, _: text(p.get_deployment_model_display())
                ),
            ],
        )
        evidence_rows = [
            self._per_product("Evidence items", lambda _, proof: text(str(len(proof.evidence))))
        ]
        for value, label in EvidenceType.choices:
            evidence_rows.append(
                self._per_product(
                    label,
                    lambda _, proof, value=value: text(
                        str(sum(1 for item in proof.evidence if item.evidence_type == value))
                    ),
                )
            )
        evidence = Section("Evidence", "evidence", evidence_rows)

        assessment = Section(
            "Assessment and integration",
            "assessment",
            [
                self._per_product("DTAC result", lambda _, proof: _dtac_cell(proof.dtac)),
                self._per_product(
                    "Integrations",
                    lambda _, proof: _list_cell(proof.integrations, "None recorded"),
                ),
                self._per_product(
                    "Standards met", lambda _, proof: text(str(proof.standards_met_count))
                ),
                self._per_product(
                    "Standards expired", lambda _, proof: text(str(proof.expired_count))
                ),
            ],
        )

        adoption = Section(
            "Adoption",
            "adoption",
            [
                self._per_product(
                    "Confirmed adopters",
                    lambda _, proof: text(str(len(proof.confirmed_adoptions))),
                ),
                self._per_product(
                    "Regions", lambda _, proof: _list_cell(proof.adopter_regions, "None")
                ),
                self._per_product(
                    "Case study outcomes",
                    lambda _, proof: _list_cell(headline_outcomes(proof), "No case studies"),
                ),
            ],
        )
        return [overview, evidence, assessment, *self._standard_sections(), adoption]

    def _standard_sections(self):
        """One section per standards category; a row for every standard any of the products
        has a row for or the catalogue lists as active, in the product page's order."""
        order = []
        by_product = []
        for proof in self.proofs:
            rows = {}
            for category_label, pairs in proof.standard_groups.items():
                for standard, row in pairs:
                    key = (category_label, standard.pk)
                    if key not in order:
                        order.append(key)
                    rows[standard.pk] = (standard, row)
            by_product.append(rows)
        sections = {}
        for category_label, standard_pk in order:
            standard = next(rows[standard_pk][0] for rows in by_product if standard_pk in rows)
            cells = [
                _standard_cell(proof, standard, rows[standard_pk][1])
                if standard_pk in rows
                else _status_cell(None)
                for proof, rows in zip(self.proofs, by_product, strict=True)
            ]
            sections.setdefault(category_label, []).append(
                _row(standard.name, cells, is_section=bool(standard.part_of_id))
            )
        return [
            Section(f"Standards: {label.lower()}", f"standards-{_slug(label)}", rows)
            for label, rows in sections.items()
        ]


def _slug(label):
    from django.utils.text import slugify

    return slugify(label)
