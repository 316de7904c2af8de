"""The e-mail digest of My work: one message per user who wants it, in their language.

`crm notify digest` (crm/notify/cli.py) runs it from cron. The items are My work's
(crm/main/my_work.py items_for), as plain text and simple HTML, with links made absolute from
CRM_BASE_URL. Mail goes through the standard library (smtplib, email.message) to the server
MAIL_SERVER names; nothing is sent when it is not configured. Daily users get it every run,
weekly users on WEEKLY_DAY only; nobody gets two on the same office day.
"""
from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from crm.auth.models import User
from crm.common.time import format_day, naive_utc, office_today, to_office
from crm.config import LANGUAGES
from crm.extensions import db
from crm.main.my_work import Section, items_for
from crm.notify.marks import mark_of

#: Weekly digests go out on this weekday (0 = Monday), in the office's time zone.
WEEKLY_DAY = 0
#: Used for links when CRM_BASE_URL is not set.
DEFAULT_BASE_URL = "http://localhost:5000"
#: Seconds to wait for the mail server.
SMTP_TIMEOUT = 30


class MailNotConfigured(RuntimeError):
    """MAIL_SERVER or MAIL_FROM is missing."""


@dataclass
class MailSettings:
    server: str
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_config(cls, config: dict) -> MailSettings:
        missing = [key for key in ("MAIL_SERVER", "MAIL_FROM") if not config.get(key)]
        if missing:
            raise MailNotConfigured(", ".join(missing))
        use_tls = bool(config.get("MAIL_USE_TLS"))
        return cls(server=config["MAIL_SERVER"],
                   port=int(config.get("MAIL_PORT") or (587 if use_tls else 25)),
                   use_tls=use_tls, username=config.get("MAIL_USERNAME") or None,
                   password=config.get("MAIL_PASSWORD") or None, sender=config["MAIL_FROM"])


@dataclass
class Digest:
    user: User
    subject: str
    text: str
    html: str
    items: int


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    skipped: int = 0


def wants_today(user: User, today: date, last_sent: datetime | None) -> bool:
    """Whether the user's choice asks for a digest today (and none went out today yet)."""
    if user.digest == "off" or not user.active:
        return False
    if user.digest == "weekly" and today.weekday() != WEEKLY_DAY:
        return False
    return last_sent is None or to_office(_aware(last_sent)).date() < today


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def recipients(today: date) -> list[tuple[User, datetime | None]]:
    """Users due a digest today, with when their last one went out. One query."""
    from crm.notify.models import UserMark

    rows = db.session.execute(
        select(User, UserMark.digest_sent_at)
        .outerjoin(UserMark, UserMark.user_id == User.id)
        .where(User.active.is_(True), User.digest != "off")
        .order_by(User.id)).all()
    return [(u, sent) for u, sent in rows if wants_today(u, today, sent)]


def language_of(user: User) -> str:
    return user.locale if user.locale in LANGUAGES else \
        current_app.config["BABEL_DEFAULT_LOCALE"]


def compose(user: User, since: datetime | None, today: date, base_url: str) -> Digest | None:
    """The user's digest in their language, or None when My work has nothing for them.
    Runs inside a request context whose base URL is base_url."""
    with force_locale(language_of(user)):
        sections = [s for s in items_for(user, since=since, today=today) if s.items]
        if not sections:
            return None
        for s in sections:
            for item in s.items:
                item.url = base_url + item.url
            if s.more_url:
                s.more_url = base_url + s.more_url
        count = sum(s.count for s in sections)
        subject = _("Kakehashi: your work for %(day)s (%(n)s items)", day=format_day(today),
                    n=count)
        context = {"user": user, "sections": sections, "subject": subject,
                   "home": base_url + "/", "settings": base_url + "/me/digest"}
        return Digest(user, subject, render_template("notify/digest.txt", **context),
                      render_template("notify/digest.html", **context), count)


def message(digest: Digest, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = digest.subject
    msg["From"] = sender
    msg["To"] = digest.user.email
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg.set_content(digest.text)
    msg.add_alternative(digest.html, subtype="html")
    msg["Content-Language"] = language_of(digest.user)  # after: set_content drops Content-*
    return msg


@contextmanager
def smtp(settings: MailSettings) -> Iterator[smtplib.SMTP]:
    """A logged-in connection to the mail server (STARTTLS when MAIL_USE_TLS)."""
    conn = smtplib.SMTP(settings.server, settings.port, timeout=SMTP_TIMEOUT)
    try:
        if settings.use_tls:
            conn.starttls(context=ssl.create_default_context())
        if settings.username:
            conn.login(settings.username, settings.password or "")
        yield conn
    finally:
        try:
            conn.quit()
        except smtplib.SMTPException:
            conn.close()


def run(*, dry_run: bool = False, today: date | None = None,
        echo: Callable[[str], None] = print) -> Outcome:
    """Send today's digests. Raises MailNotConfigured before anything is composed or sent
    (unless dry_run). One user's refused delivery is recorded in the outcome and the others
    go on; each delivered digest is marked (and committed) as soon as it went out, so a
    second run the same day sends nobody a second copy."""
    today = today or office_today()
    settings = None if dry_run else MailSettings.from_config(current_app.config)
    base_url = (current_app.config.get("CRM_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
    outcome = Outcome()
    due = recipients(today)
    if not due:
        return outcome
    with current_app.test_request_context("/", base_url=base_url):
        digests = []
        for user, last_sent in due:
            since = last_sent or mark_of(user.id).seen_at
            digest = compose(user, since, today, base_url)
            if digest is None:
                outcome.skipped += 1
            else:
                digests.append(digest)
        if dry_run:
            for d in digests:
                echo(f"To: {d.user.email}\nSubject: {d.subject}\n\n{d.text}\n" + "-" * 60)
                outcome.sent.append(d.user.email)
            db.session.rollback()  # a dry run leaves no mark
            return outcome
        with smtp(settings) as conn:
            for d in digests:
                try:
                    refused = conn.send_message(message(d, settings.sender))
                except (smtplib.SMTPException, OSError) as err:  # this one only; go on
                    outcome.failed.append((d.user.email, _reason(err)))
                    try:
                        conn.rset()
                    except (smtplib.SMTPException, OSError):
                        pass
                    continue
                if refused:
                    outcome.failed.append((d.user.email, str(refused)))
                    continue
                mark_of(d.user.id).digest_sent_at = naive_utc()
                db.session.commit()
                outcome.sent.append(d.user.email)
    return outcome


def _reason(err: OSError) -> str:
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode(errors='replace') if isinstance(msg, bytes) else msg}"
                         for code, msg in err.recipients.values())
    if not hasattr(err, "smtp_code"):
        return f"{type(err).__name__}: {err}"
    code = getattr(err, "smtp_code", "")
    text = getattr(err, "smtp_error", b"")
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}".strip()


__all__ = ["Digest", "MailNotConfigured", "MailSettings", "Outcome", "Section", "compose",
           "message", "recipients", "run", "wants_today"]
