"""The open data page in a real browser, checked by axe-core against WCAG 2.2 AA."""

import datetime

import pytest

from api import opendata

from ..registry.factories import (
    ProductFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_open_data_page_is_accessible(browser_page, assert_accessible, settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path
    ProductFactory(title="WardWatch")
    for offset in (1, 0):
        opendata.publish(day=datetime.date.today() - datetime.timedelta(days=offset))

    response = browser_page.goto("/open-data/")

    assert response.status == 200
    main = browser_page.locator("main")
    assert main.get_by_role("heading", name="Open data", level=1).is_visible()
    assert main.get_by_role("link", name="Open Government Licence v3.0").is_visible()
    assert main.get_by_role("table", name="Earlier files").is_visible()
    latest = opendata.dated_name(datetime.date.today())
    assert main.get_by_role("link", name=f"Download {latest}").is_visible()
    assert_accessible(browser_page)
    browser_page.set_viewport_size({"width": 390, "height": 900})
    assert_accessible(browser_page)
