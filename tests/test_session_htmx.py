"""A page left open past the session's end: its htmx requests (a list filter typed into, a
suggestion box) send the browser to the login page as a whole, not the login page drawn into
the fragment they replace."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit


def _expire(app, client) -> None:
    idle = app.config["CRM_SESSION_IDLE_MINUTES"] * 60
    with client.session_transaction() as sess:  # as if the tab was left this long ago
        sess["_seen"] -= idle + 5
        sess["_since"] -= idle + 5


def test_an_htmx_request_after_the_session_ended_gets_hx_redirect_to_login(app, login):
    client = login("staff")
    page = "http://localhost/companies/?q=abc"
    assert client.get("/companies/?q=ab", headers={"HX-Request": "true", "HX-Target": "results",
                                                    "HX-Current-URL": page}).status_code == 200
    _expire(app, client)
    answer = client.get("/companies/?q=abc", headers={
        "HX-Request": "true", "HX-Target": "results", "HX-Current-URL": page})
    assert answer.status_code == 401
    assert answer.data == b""  # nothing for htmx to draw into the list
    target = urlsplit(answer.headers["HX-Redirect"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/companies/?q=abc"]  # back to the page, not the fragment
    # and the login page it goes to says why
    assert "Your session has ended" in client.get(answer.headers["HX-Redirect"]) \
        .get_data(as_text=True)


def test_a_plain_request_after_the_session_ended_is_still_redirected(app, login):
    client = login("staff")
    _expire(app, client)
    answer = client.get("/companies/")
    assert answer.status_code == 302
    assert urlsplit(answer.headers["Location"]).path == "/login"
    assert "HX-Redirect" not in answer.headers
