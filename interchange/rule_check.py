"""The publishing rules (proof.rules) applied to a product the import plans to write, so a
product the editor could not publish is a warning (or, with --strict, a problem) at the JSON
path of what it lacks."""

from proof.loading import today
from proof.rules import NOT_A_DEVICE, Listing, breaches, fact

from .schema import key_path

# Where in a product record each proof rule looks, for the warning's JSON path.
RULE_KEYS = {
    "supplier": "supplier",
    "category": "category",
    "care_setting": "care_settings",
    "summary": "summary",
    "evidence": "evidence",
    "medical_device": "device_class",
    "personal_data": "compliance",
}


def listing_of(plan):
    """The facts the rules read, from the product's planned page and links."""
    links, page = plan.links, plan.fresh
    category = links.get("category")
    return Listing(
        title=page.title,
        supplier=str(links.get("supplier") or ""),
        category=category.name if category else "",
        care_settings=tuple(setting.name for setting in links["care_settings"]),
        summary=page.summary or "",
        esf_tier=page.esf_tier or "",
        device_class=page.device_class or NOT_A_DEVICE,
        conformity_marking=page.conformity_marking or NOT_A_DEVICE,
        processes_personal_data=bool(page.processes_personal_data),
        evidence_types=tuple(item.evidence_type for item in links["evidence"]),
        rows=tuple(
            fact(row.standard.code, row.status, row.expires_on)
            for row in links["compliance"]
            if row.standard_id
        ),
    )


def rule_breaches(plan):
    """[(JSON path, message)] for each proof rule the planned product breaks today."""
    return [
        (key_path(plan.path, RULE_KEYS[breach.rule]), breach.message)
        for breach in breaches(listing_of(plan), today())
    ]
