"""Comparing up to four products side by side: adding from anywhere, the shared address,
rows aligned and differences marked, and every kind of bad input answered with a notice."""

import datetime

import pytest

from assessments.models import ComplianceStatus, Standard
from registry.choices import DeviceClass, EvidenceType, Region

from ..assessments.factories import ComplianceFactory, dtac_rows
from ..registry.factories import (
    AdoptionFactory,
    CaseStudyFactory,
    EvidenceFactory,
    OrganisationFactory,
    OutcomeFactory,
    ProductFactory,
)
from ..search.asking import page_text

pytestmark = pytest.mark.django_db


def add(client, product, next_url=None):
    data = {"product": product.pk if hasattr(product, "pk") else product}
    url = "/compare/add/" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data, follow=True)


def rows_of(response, label):
    """The cells of the comparison row with this label, as text, for every table."""
    import re

    html = response.content.decode()
    found = []
    for row in re.findall(r"<tr class=\"nhsuk-table__row[^\"]*\">(.*?)</tr>", html, re.S):
        header = re.search(r"<th[^>]*scope=\"row\"[^>]*>(.*?)</th>", row, re.S)
        if header and re.sub(r"<[^>]+>", "", header.group(1)).split(" Differs")[0].strip() == label:
            cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            found.append(
                {
                    "differs": "Differs" in header.group(1),
                    "cells": [" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in cells],
                }
            )
    return found


def test_products_are_compared_side_by_side_with_differences_marked(client):
    dcb = Standard.objects.get(code="DCB0129")
    gp_connect = Standard.objects.get(code="GP_CONNECT")
    first = ProductFactory(title="WardWatch", esf_tier="C", device_class=DeviceClass.IIA)
    second = ProductFactory(title="HomeCheck", esf_tier="C", device_class=DeviceClass.NONE)
    dtac_rows(first)  # DCB0129 among them
    ComplianceFactory(
        product=second,
        standard=dcb,
        status=ComplianceStatus.MET,
        assessed_on=datetime.date.today() - datetime.timedelta(days=400),
        expires_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    ComplianceFactory(product=first, standard=gp_connect, status=ComplianceStatus.MET)
    EvidenceFactory(product=first, evidence_type=EvidenceType.RCT)
    EvidenceFactory(product=first, evidence_type=EvidenceType.RCT)
    EvidenceFactory(product=second, evidence_type=EvidenceType.AUDIT)
    AdoptionFactory(product=first, organisation=OrganisationFactory(region=Region.LONDON))
    AdoptionFactory(product=first, organisation=OrganisationFactory(region=Region.NORTH_WEST))
    study = CaseStudyFactory(products=[first])
    OutcomeFactory(case_study=study, metric="Did not attend rate", before=10, after=6.5, unit="%")

    add(client, first)
    response = add(client, second)
    assert response.status_code == 200
    response = client.get("/compare/")
    assert "2 products side by side" in page_text(response)

    assert rows_of(response, "NICE ESF tier") == [
        {"differs": False, "cells": [first.get_esf_tier_display()] * 2}
    ]
    assert rows_of(response, "Medical device class") == [
        {"differs": True, "cells": ["Class IIa", "Not a medical device"]}
    ]
    assert rows_of(response, dcb.name) == [{"differs": True, "cells": ["Met", "Expired"]}]
    assert rows_of(response, "DTAC result") == [
        {"differs": True, "cells": ["Passed", "Not assessed"]}
    ]
    # A section whose dependency lapsed reads "Lapsed" with the reason, beside the whole.
    first.compliance.filter(standard__code="PENTEST").update(
        expires_on=datetime.date.today() - datetime.timedelta(days=1)
    )
    lapsed = rows_of(client.get("/compare/"), "DTAC result")[0]["cells"][0]
    assert lapsed.startswith("Lapsed Lapsed: PENTEST expired on ")
    assert rows_of(response, "Integrations") == [
        {"differs": True, "cells": [gp_connect.name, "None recorded"]}
    ]
    assert rows_of(response, "Randomised controlled trial") == [
        {"differs": True, "cells": ["2", "0"]}
    ]
    assert rows_of(response, "Confirmed adopters") == [{"differs": True, "cells": ["2", "0"]}]
    assert rows_of(response, "Regions") == [
        {"differs": True, "cells": ["London North West", "None"]}
    ]
    outcomes = rows_of(response, "Case study outcomes")[0]["cells"]
    assert outcomes[0] == f"Did not attend rate: 10% to 6.5% ({study.organisation.name})"
    assert outcomes[1] == "No case studies"
    # A standard neither product has a row for reads "Missing" in both columns.
    assert rows_of(response, Standard.objects.get(code="ISO27001").name) == [
        {"differs": False, "cells": ["Missing", "Missing"]}
    ]


def test_only_differing_rows_can_be_shown(client):
    first = ProductFactory(title="Alpha", device_class=DeviceClass.I)
    second = ProductFactory(title="Beta", device_class=DeviceClass.NONE)
    address = f"/compare/?products={first.slug},{second.slug}"
    everything = client.get(address)
    only = client.get(address + "&show=differences")
    assert rows_of(everything, "Pricing") and not rows_of(only, "Pricing")
    assert rows_of(only, "Medical device class")[0]["differs"] is True
    assert "Show all rows" in page_text(only)


def test_shared_address_shows_the_products_without_touching_the_session(client):
    first, second = ProductFactory(title="Alpha"), ProductFactory(title="Beta")
    response = client.get(f"/compare/?products={second.slug},{first.slug}")
    assert response.status_code == 200
    text = page_text(response)
    assert text.index("Beta") < text.index("Alpha")
    assert f"/compare/?products={second.slug},{first.slug}" in response.content.decode()
    assert "You have not chosen any products" in page_text(client.get("/compare/"))


def test_a_fifth_product_is_refused_with_a_message(client):
    products = [ProductFactory() for _ in range(5)]
    for product in products[:4]:
        add(client, product)
    response = add(client, products[4])
    text = page_text(response)
    assert "You can compare up to 4 products" in text
    compared = page_text(client.get("/compare/"))
    assert "4 products side by side" in compared
    assert products[4].title not in compared


def test_more_than_four_in_an_address_shows_the_first_four(client):
    products = [ProductFactory() for _ in range(6)]
    response = client.get("/compare/?products=" + ",".join(p.slug for p in products))
    text = page_text(response)
    assert "we are showing the first 4" in text
    assert products[3].title in text and products[4].title not in text


def test_forged_and_unknown_ids_are_ignored_with_a_notice(client):
    product = ProductFactory(title="Alpha")
    for forged in ["999999", "not-a-product", "<script>", "-1", ""]:
        response = client.post("/compare/add/", {"product": forged}, follow=True)
        assert response.status_code == 200
        assert "We could not find that product" in page_text(response)
    response = client.get(f"/compare/?products={product.slug},nonsense,99999999,{'x' * 5000}")
    assert response.status_code == 200
    text = page_text(response)
    assert "3 products in this address were not found" in text
    assert "Alpha" in text


def test_a_product_unpublished_since_it_was_added_is_dropped_with_a_notice(client):
    kept, withdrawn = ProductFactory(title="Kept"), ProductFactory(title="Withdrawn")
    add(client, kept)
    add(client, withdrawn)
    withdrawn.unpublish()
    text = page_text(client.get("/compare/"))
    assert "A product you chose is no longer published" in text
    assert "Withdrawn" not in text
    assert "1 product side by side" in text
    # Dropped from the session too: the notice is not repeated.
    assert "no longer published" not in page_text(client.get("/compare/"))


def test_draft_products_cannot_be_added(client):
    draft = ProductFactory(live=False)
    response = client.post("/compare/add/", {"product": draft.pk}, follow=True)
    assert "We could not find that product" in page_text(response)


def test_adding_returns_to_the_page_it_came_from_but_never_off_site(client):
    product = ProductFactory()
    response = add(client, product, next_url="/search/%3Fq%3Dward")
    assert response.redirect_chain[0][0] == "/search/?q=ward"
    other = ProductFactory()
    response = client.post(
        "/compare/add/?next=https://evil.example/", {"product": other.pk}, follow=False
    )
    assert response["Location"] == "/compare/"


def test_buttons_are_post_forms_with_csrf_on_product_and_search_pages(client):
    product = ProductFactory(title="WardWatch")
    page = client.get(product.url).content.decode()
    assert 'id="buyer-actions" method="post"' in page
    assert "csrfmiddlewaretoken" in page
    assert f'formaction="/compare/add/?next={product.url}"' in page
    assert f'name="product" value="{product.pk}"' in page
    add(client, product)
    assert "In your comparison" in page_text(client.get(product.url))


def test_get_is_refused_on_the_buttons(client):
    assert client.get("/compare/add/").status_code == 405
    assert client.get("/shortlist/add/").status_code == 405


def test_removing_and_clearing(client):
    first, second = ProductFactory(title="Alpha"), ProductFactory(title="Beta")
    add(client, first)
    add(client, second)
    client.post("/compare/remove/", {"product": first.pk})
    text = page_text(client.get("/compare/"))
    assert "1 product side by side" in text
    client.post("/compare/clear/")
    assert "You have not chosen any products" in page_text(client.get("/compare/"))
