"""The Japanese interface: every piece of interface text has a translation, compiled and current;
the language switch is remembered, and dates and money follow the language."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from crm.auth.models import User
from crm.extensions import db

CATALOG = Path(__file__).resolve().parent.parent / "crm" / "translations" / "ja" / "LC_MESSAGES"


def _po():
    with open(CATALOG / "messages.po", "rb") as f:
        return read_po(f, locale="ja")


def test_every_message_has_a_japanese_translation():
    missing = [m.id for m in _po() if m.id and (not m.string or m.fuzzy)]
    assert missing == []


def _key(message):
    """(context, id, translation) comparable between read_po and read_mo: the .mo reader gives
    plural ids and strings as lists and the context as bytes; the .po reader tuples and str."""
    def norm(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value
    context = message.context.decode() if isinstance(message.context, bytes) else message.context
    return (context, norm(message.id)), norm(message.string)


def test_compiled_catalogue_matches_the_po_file():
    """`make translations` was run after the last edit of messages.po."""
    with open(CATALOG / "messages.mo", "rb") as f:
        compiled = dict(_key(m) for m in read_mo(f) if m.id)
    source = dict(_key(m) for m in _po() if m.id and not m.fuzzy)
    assert compiled == source


def test_placeholders_survive_translation():
    import re

    for m in _po():
        if not m.id or not m.string or isinstance(m.id, tuple):
            continue
        assert set(re.findall(r"%\(\w+\)s", m.id)) == set(re.findall(r"%\(\w+\)s", m.string)), m.id


JA = {"Accept-Language": "ja"}


def test_a_service_error_is_shown_in_japanese_beside_the_field_and_escaped(login, make_company):
    make_company(name="<b>Holder</b> K.K.", corporate_number="7011401003807")
    r = login("liaison").submit("/companies/new", {"name": "二社目", "status": "prospect",
                                                   "corporate_number": "7011401003807"},
                                headers=JA)
    body = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "法人番号7011401003807はすでに&lt;b&gt;Holder&lt;/b&gt; K.K." in body
    assert "<b>Holder</b>" not in body


def test_the_same_error_stays_english_for_english_readers(login, make_company):
    make_company(name="Holder K.K.", corporate_number="7011401003807")
    r = login("liaison").submit("/companies/new", {"name": "Second", "status": "prospect",
                                                   "corporate_number": "7011401003807"})
    body = r.get_data(as_text=True)
    assert "Corporate number 7011401003807 already belongs to Holder K.K." in body


def test_role_labels_are_translated(login):
    body = login("admin").get("/users/", headers=JA).get_data(as_text=True)
    assert "リエゾン担当" in body and "ビジネス開発" in body


def test_commands_print_english_errors(runner):
    result = runner.invoke(args=["user", "create", "--email", "short@example.org", "--name", "短",
                                 "--role", "staff", "--password", "short"])
    assert result.exit_code == 1
    assert "Use at least 12 characters." in result.output


def test_every_interface_string_in_the_code_is_in_the_catalogue(tmp_path):
    """A string added to a template or view without `make translations` shows up here."""
    import subprocess
    import sys

    root = CATALOG.parents[3]
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [str(Path(sys.executable).with_name("pybabel")), "extract",
         "-F", "crm/translations/babel.cfg", "-k", "_l", "-k", "lazy_gettext",
         "-k", "lazy_pgettext:1c,2", "-k", "N_", "-o", str(pot), "."],
        cwd=root, check=True, capture_output=True,
    )
    with open(pot, "rb") as f:
        source = {(m.context, m.id if isinstance(m.id, str) else m.id[0])
                  for m in read_po(f) if m.id}
    catalogue = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in _po() if m.id}
    assert sorted(source - catalogue, key=str) == []


def test_language_switch_changes_the_interface_and_is_remembered(login, users):
    client = login("liaison")
    client.get("/companies/", headers={"Accept-Language": "ja"})  # the browser asks for Japanese
    r = client.submit("/language/en")  # the "English" button of the page the user is on
    assert r.status_code == 302 and urlsplit(r.headers["Location"]).path == "/companies/"
    assert "Companies" in client.get("/companies/").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, users["liaison"].id).locale == "en"
    client.submit("/language/ja")
    body = client.get("/companies/").get_data(as_text=True)
    assert "企業" in body and 'lang="ja"' in body


def test_dates_and_money_follow_the_locale(app):
    from datetime import date

    from flask_babel import force_locale

    from crm.web import _date, _money

    with app.test_request_context():
        with force_locale("en"):
            assert _date(date(2026, 4, 1)) == "1 Apr 2026"
            assert _money(1500000, "JPY") == "¥1,500,000"
        with force_locale("ja"):
            assert _date(date(2026, 4, 1)) == "2026年4月1日"
            assert _money(1500000, "JPY") == "￥1,500,000"
