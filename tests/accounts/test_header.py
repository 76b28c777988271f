"""Signed-in people find their way around from the header of every page."""

import pytest

from ..assessments.factories import InnovatorFactory

pytestmark = pytest.mark.django_db


def test_an_innovator_sees_their_submissions_saved_searches_and_sign_out(client):
    client.force_login(InnovatorFactory())
    html = client.get("/search/").content.decode()
    assert 'href="/submissions/"' in html and "Your submissions" in html
    assert 'href="/alerts/"' in html and "Saved searches" in html
    assert '<form method="post" action="/account/sign-out/">' in html
    assert "Sign in" not in html


def test_sign_out_from_the_header_signs_out(client):
    client.force_login(InnovatorFactory())
    client.post("/account/sign-out/")
    html = client.get("/search/").content.decode()
    assert "Sign in" in html and "Sign out" not in html and "Your submissions" not in html
