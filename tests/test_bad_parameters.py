"""Bad query parameters and path numbers answer 400 or 404, never 500 (issue 13, item 8):
every GET route, as an administrator (who reaches them all), with the parameters its view reads
set to huge, negative, NUL, CR/LF, unknown and very long values; on SQLite and PostgreSQL."""
from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from werkzeug.datastructures import ImmutableMultiDict

from crm.extensions import db
from tests.test_roles import PUBLIC, _records

#: Values a hostile or careless link puts in a parameter.
BAD_VALUES = [
    "1" * 23,                  # a 23-digit integer: past every integer column
    "2147483648",              # one past PostgreSQL's integer (every id column)
    "9223372036854775807",     # the largest bigint: past an integer, not past SQLite's
    "-1",
    "1\x00",                   # a NUL byte: PostgreSQL text cannot hold it
    "a\r\nSet-Cookie: x=1",    # CR/LF
    "x-unknown-value",         # not one of the choices
    "²",                       # a digit to str.isdigit(), not to int()
    "9999-99-99",
    "1e308",
    "%'\\",
    "x" * 3000,                # very long
]
#: Parameters lists, filters and dashboards take, tried on every route besides the ones its
#: view is seen reading.
COMMON = ["page", "q", "sort", "dir", "format", "officer", "company", "department", "status",
          "kind", "from", "to", "period", "year", "researcher", "seed", "contact", "event",
          "user", "record", "next", "chart", "currency", "country", "tier", "industry",
          "strength", "stage", "alumnus", "employer", "collaboration", "origin", "dnc",
          "consent", "contacted_since", "no_contact_since", "min_donations", "readiness",
          "degree", "action", "entity", "entity_id", "donor", "gov", "ip", "open", "blocked",
          "restricted", "claimed", "when", "index", "saved", "new", "field", "refresh"]
#: Values tried on each parameter a view reads, alone (all of BAD_VALUES go in the request
#: that sets every COMMON parameter at once).
EACH = ["1" * 23, "2147483648", "²", "x-unknown-value" + "x" * 3000]


class _Reading(ImmutableMultiDict):
    """Query-string storage that remembers the names a view asks for."""

    asked: set[str] = set()

    def get(self, key, default=None, type=None):  # noqa: A002
        _Reading.asked.add(key)
        return super().get(key, default, type)

    def __getitem__(self, key):
        _Reading.asked.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        _Reading.asked.add(key)
        return super().__contains__(key)

    def getlist(self, key, type=None):  # noqa: A002
        _Reading.asked.add(key)
        return super().getlist(key, type)


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or "GET" not in rule.methods:
            continue
        yield rule


def _url(rule, ids: dict) -> str:
    return rule.build({k: ids[k] for k in rule.arguments}, append_unknown=False)[1]


def test_every_get_route_answers_bad_parameters_without_a_500(app, login, users, monkeypatch):
    client = login("admin")
    ids = _records(users["admin"].id)
    monkeypatch.setattr(app.request_class, "parameter_storage_class", _Reading)
    broken: list[str] = []
    tried = 0
    for rule in _get_routes(app):
        url = _url(rule, ids)
        _Reading.asked = set()
        first = client.get(url)
        assert first.status_code < 500, f"{rule.endpoint} {url}: {first.status_code}"
        # Each parameter the view reads alone (one bad value must not hide another), then
        # every common one at once.
        queries = [[name] for name in sorted(_Reading.asked - {""})] + [COMMON]
        for names in queries:
            for value in (BAD_VALUES if names is COMMON else EACH):
                sep = "&" if "?" in url else "?"
                target = url + sep + "&".join(f"{quote(n)}={quote(value, safe='')}"
                                              for n in names)
                try:
                    status = client.get(target).status_code
                except Exception as err:  # the test client re-raises what would be a 500
                    status = f"500 ({type(err).__name__})"
                    db.session.rollback()
                tried += 1
                if status not in (200, 302, 303, 400, 404):
                    broken.append(f"{status} {rule.endpoint} {','.join(names)[:40]}="
                                  f"{value[:30]!r}")
        db.session.rollback()
    assert not broken, "\n".join(broken)
    assert tried > 1000
    print(f'{tried} requests')


def test_huge_numbers_in_paths_are_not_found(app, login, users):
    client = login("admin")
    ids = _records(users["admin"].id)
    int_args = set()
    checked = 0
    for rule in _get_routes(app):
        numeric = [k for k in rule.arguments if k.endswith("_id")]
        if not numeric:
            continue
        int_args.update(numeric)
        for huge in (10**22, 2**63, 2**63 - 1, 2**31):
            values = {k: ids[k] for k in rule.arguments} | {k: huge for k in numeric}
            url = rule.build(values, append_unknown=False)[1]
            status = client.get(url).status_code
            assert status == 404, f"{rule.endpoint} {url}: {status}"
            checked += 1
    assert checked > 30 and "company_id" in int_args


@pytest.mark.parametrize("url", ["/companies/?q=a%00b", "/contacts/?q=%00", "/search/?q=%00",
                                 "/companies/?industry=%00"])
def test_a_nul_byte_is_refused_with_a_message(app, login, url):
    response = login("admin").get(url)
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_format_on_a_list_is_ignored_and_an_unknown_export_format_refused(app, login):
    """`?format=x` on the company and contact lists broke their Export menu (format twice): the
    list has no format, so the menu's links carry their own; the export refuses an unknown one
    with a message naming it."""
    client = login("admin")
    for kind in ("companies", "contacts"):
        page = client.get(f"/{kind}/?format=x&q=a")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert f"/exports/{kind}?format=csv&amp;q=a" in html
        assert not re.search(rf'/exports/{kind}\?[^"]*format=x[&"]', html)
        refused = client.get(f"/exports/{kind}?format=x")
        assert refused.status_code == 400
        assert "Unknown format “x”" in refused.get_data(as_text=True)
