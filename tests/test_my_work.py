"""My work (the home page): each role sees its own sections, each item links to where it is
done, few queries whatever the data."""
from __future__ import annotations

import pytest

from crm.auth.permissions import Role


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_home_renders_for_every_role(login, role):
    client = login(role)
    response = client.get("/")
    assert response.status_code == 200, response.get_data(as_text=True)[-2000:]
