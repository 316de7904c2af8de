"""A request body sent as JSON or text (no page sends one; a script or a hostile client may)
holding a NUL byte is refused with 400 naming where it is, never a 500: PostgreSQL text cannot
hold a NUL, and no one types it."""
from __future__ import annotations

import re

import pytest

from crm.companies.models import Company
from crm.extensions import db


def _token(client) -> str:
    html = client.get("/companies/new").get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.mark.parametrize("body, content_type, named", [
    ('{"name": "ABC\\u0000 Corp"}', "application/json", "name"),
    ('{"company": {"notes": ["ok", "bad\\u0000"]}}', "application/json", "1"),
    (b'{"name": "ABC\x00"}', "application/json", "body"),  # a raw NUL: not JSON at all
    (b"name=ABC\x00", "text/plain", "body"),
])
def test_a_nul_in_a_json_or_text_body_is_a_400_naming_it(login, body, content_type, named):
    client = login("manager")
    answer = client.post("/companies/new", data=body, headers={
        "Content-Type": content_type, "X-CSRFToken": _token(client)})
    assert answer.status_code == 400
    assert f"“{named}” contains a NUL character" in answer.get_data(as_text=True)
    assert db.session.query(Company).count() == 0


def test_a_nul_deep_in_nested_json_is_still_a_400(login):
    client = login("manager")
    body = "[" * 100_000 + '"\\u0000"' + "]" * 100_000
    answer = client.post("/companies/new", data=body, headers={
        "Content-Type": "application/json", "X-CSRFToken": _token(client)})
    assert len(body) < 1024 * 1024 and answer.status_code == 400  # under the size cap: its NUL


def test_a_json_body_without_nul_is_left_to_the_view(login):
    client = login("manager")
    answer = client.post("/companies/new", data='{"name": "ABC"}', headers={
        "Content-Type": "application/json", "X-CSRFToken": _token(client)})
    assert answer.status_code != 400 and answer.status_code < 500
