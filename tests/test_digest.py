"""`crm notify digest`: against an SMTP server the test starts itself (aiosmtpd), checking the
messages that arrive: recipient, subject and language, an item's link; the opt-out, weekly
users on other days, no mail server, one refused recipient, --dry-run; and the setting's form."""
from __future__ import annotations

import re
import socket
from datetime import date, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from crm.auth.models import User
from crm.common.time import office_today
from crm.extensions import db, utcnow
from crm.notify import digest
from crm.notify.models import UserMark
from crm.requests.models import DataEntryRequest
from tests.conftest import make_user

BASE = "https://crm.example.ac.jp"
MONDAY = date(2026, 12, 14)
TUESDAY = MONDAY + timedelta(days=1)
REFUSED = "refuse-me@example.org"


class Inbox:
    """What the SMTP server received; it refuses REFUSED at RCPT TO."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address == REFUSED:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, email: str):
        found = [m for rcpt, m in self.messages if email in rcpt]
        assert len(found) == 1, f"{len(found)} messages to {email}"
        return found[0]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(app, monkeypatch):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port, "MAIL_USE_TLS": False,
                       "MAIL_FROM": "kakehashi@example.ac.jp", "CRM_BASE_URL": BASE}.items():
        monkeypatch.setitem(app.config, key, value)
    yield inbox
    controller.stop()


@pytest.fixture
def on(monkeypatch):
    """on(day): the digest runs as if the office's today were `day`."""
    def _set(day: date) -> None:
        monkeypatch.setattr(digest, "office_today", lambda: day)
    _set(MONDAY)
    return _set


@pytest.fixture
def people(users):
    """A Japanese researcher with a question waiting, an English BD member with a queue, a BD
    member who turned the digest off."""
    for user in users.values():  # the others (weekly by default) stay out of these tests
        user.digest = "off"
    researcher = users["researcher"]
    researcher.locale, researcher.digest = "ja", "daily"
    bd = users["bd"]
    bd.locale, bd.digest = "en", "daily"
    quiet = make_user("bd", email="quiet-bd@example.org", locale="en", digest="off")
    asked = DataEntryRequest(submitted_by_id=researcher.id, status="returned",
                             person_name="質問中の人",
                             created_at=(utcnow() - timedelta(days=2)).replace(tzinfo=None))
    waiting = DataEntryRequest(submitted_by_id=researcher.id, status="submitted",
                               person_name="Waiting Person",
                               created_at=(utcnow() - timedelta(days=9)).replace(tzinfo=None))
    db.session.add_all([asked, waiting])
    db.session.commit()
    return {"researcher": researcher, "bd": bd, "quiet": quiet, "asked": asked,
            "waiting": waiting}


def _sent_marks() -> dict[int, object]:
    db.session.expire_all()
    return dict(db.session.execute(select(UserMark.user_id, UserMark.digest_sent_at)).all())


def test_each_user_who_wants_it_gets_one_message_in_their_language(runner, smtp_server, on,
                                                                   people):
    on(office_today())  # daily users: any day; the real day, for the second run below
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 digest(s)" in result.output

    ja = smtp_server.to(people["researcher"].email)
    assert ja["To"] == people["researcher"].email and ja["From"] == "kakehashi@example.ac.jp"
    assert ja["Subject"].startswith("架け橋: ") and ja["Content-Language"] == "ja"
    text = ja.get_body(("plain",)).get_content()
    assert "質問中の人についてチームから質問があります" in text
    assert f"{BASE}/requests/{people['asked'].id}" in text
    html = ja.get_body(("html",)).get_content()
    assert f'href="{BASE}/requests/{people["asked"].id}"' in html

    en = smtp_server.to(people["bd"].email)
    assert en["Subject"].startswith("Kakehashi: your work for") and en["Content-Language"] == "en"
    body = en.get_body(("plain",)).get_content()
    assert "Data-entry queue" in body and "1 open, 1 waiting over 7 days, 1 sent back" in body
    assert f"{BASE}/requests/{people['waiting'].id}" in body
    assert "the team asks" not in body.lower()  # the researcher's section is not BD's

    # the opt-out got nothing; nobody with nothing to do is mailed
    assert not [m for rcpt, m in smtp_server.messages if people["quiet"].email in rcpt]
    assert len(smtp_server.messages) == 2

    # run again the same day (cron twice, a retry): nobody gets a second copy
    again = runner.invoke(args=["notify", "digest"])
    assert again.exit_code == 0 and len(smtp_server.messages) == 2


def test_weekly_users_get_it_on_mondays_only(runner, smtp_server, on, people):
    for who in ("researcher", "bd"):
        people[who].digest = "weekly"
    db.session.commit()
    on(TUESDAY)
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0 and smtp_server.messages == []
    on(MONDAY)
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0 and len(smtp_server.messages) == 2


def test_without_a_mail_server_nothing_is_sent_and_it_says_so(runner, app, smtp_server,
                                                             monkeypatch, on, people):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 1
    assert "No mail server configured" in result.output and "MAIL_SERVER" in result.output
    assert smtp_server.messages == [] and not any(_sent_marks().values())


def test_a_refused_recipient_does_not_stop_the_others_and_is_reported(runner, smtp_server,
                                                                     on, people):
    on(office_today())  # the real day, for the second run below
    refused = make_user("bd", email=REFUSED, locale="en", digest="daily")
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 1
    assert f"Not delivered to {REFUSED}: 550" in result.output
    assert "Sent 2 digest(s)" in result.output
    assert {rcpt[0] for rcpt, _m in smtp_server.messages} == {people["researcher"].email,
                                                              people["bd"].email}
    marks = _sent_marks()
    assert marks.get(refused.id) is None and marks[people["bd"].id] is not None
    # the next run tries the refused one again, and only them
    again = runner.invoke(args=["notify", "digest"])
    assert again.exit_code == 1 and len(smtp_server.messages) == 2


def test_dry_run_prints_what_would_be_sent_and_sends_nothing(runner, app, smtp_server,
                                                            monkeypatch, on, people):
    monkeypatch.setitem(app.config, "MAIL_SERVER", None)  # not needed for a dry run
    result = runner.invoke(args=["notify", "digest", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"To: {people['bd'].email}" in result.output
    assert f"{BASE}/requests/{people['waiting'].id}" in result.output
    assert "Would send 2 digest(s)" in result.output
    assert smtp_server.messages == [] and not any(_sent_marks().values())


def test_a_user_turns_the_digest_off_on_the_settings_page(login, runner, smtp_server, on,
                                                          people):
    client = login("researcher")
    assert "/me/digest" in client.get("/account").get_data(as_text=True)
    page = client.get("/me/digest").get_data(as_text=True)
    checked = re.findall(r'<input[^>]*\bchecked\b[^>]*>', page)
    assert len(checked) == 1 and 'value="daily"' in checked[0]  # the choice in force
    response = client.submit("/me/digest", {"digest": "off"}, page="/me/digest")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, people["researcher"].id).digest == "off"
    runner.invoke(args=["notify", "digest"])
    assert [rcpt for rcpt, _m in smtp_server.messages] == [[people["bd"].email]]


def test_the_setting_refuses_a_forged_or_unknown_choice(login, people):
    client = login("bd")
    client.get("/me/digest")
    assert client.forge("/me/digest", {"digest": "hourly"}).status_code == 422
    assert client.post("/me/digest", data={"digest": "off"}).status_code == 400  # no token
    db.session.expire_all()
    assert db.session.get(User, people["bd"].id).digest == "daily"


def test_an_unreachable_mail_server_sends_nothing_and_says_so(runner, app, smtp_server,
                                                              monkeypatch, on, people):
    monkeypatch.setitem(app.config, "MAIL_PORT", _free_port())  # nobody listens there
    result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 1 and "Cannot reach the mail server" in result.output
    assert smtp_server.messages == [] and not any(_sent_marks().values())


def test_mail_settings_come_from_the_environment(monkeypatch):
    from crm import config

    monkeypatch.setenv("MAIL_SERVER", "smtp.example.ac.jp")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "1")
    monkeypatch.setenv("MAIL_FROM", "crm@example.ac.jp")
    settings = config.from_environment({})
    assert settings["MAIL_SERVER"] == "smtp.example.ac.jp" and settings["MAIL_PORT"] == 587
    assert settings["MAIL_USE_TLS"] is True
    mail = digest.MailSettings.from_config(settings)
    assert (mail.server, mail.port, mail.use_tls, mail.sender) == (
        "smtp.example.ac.jp", 587, True, "crm@example.ac.jp")
    monkeypatch.setenv("MAIL_USE_TLS", "maybe")
    with pytest.raises(ValueError, match="MAIL_USE_TLS=.*1 or 0"):
        config.from_environment({})
