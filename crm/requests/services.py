"""Data-entry requests: a researcher sends what they learned; the business-development team
turns it into records.

What the researcher sent (the person_*, company, where, discussed ... fields and the attachment)
is written once, by submit_request, and never changed or deleted by anything here: the team's
work lives in the status, the claim, the messages and the links to what was created.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from crm.auth.models import User
from crm.common.services import ValidationError
from crm.common.text import is_japanese_name, nfkc
from crm.contacts.services import is_kana_reading, normalise_email
from crm.events.encounters import Meeting, PersonEntry, Plan, record_encounter, save_person
from crm.events.models import Event
from crm.extensions import db, utcnow
from crm.requests.models import DataEntryRequest, RequestMessage
from crm.common.time import naive_utc, office_today
from importers.values import split_name

#: What may be attached, by the type found in the file's first bytes (not the browser's word).
ATTACHMENT_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "text/vcard": "vCard"}
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
#: A request open longer than this is flagged in the queue.
AGING_DAYS = 7
#: Waiting for the team (submitted, or claimed and being worked on).
OPEN_STATUSES = ("submitted", "claimed")
#: The fields a researcher fills in, as sent: never overwritten.
ORIGINAL_FIELDS = (
    "person_name", "person_reading", "person_title", "company_name", "email", "phone",
    "where_met", "event_id", "met_on", "discussed", "interests", "small_talk",
)


def days_waiting(req: DataEntryRequest, now: datetime | None = None) -> int:
    """Whole days since the request was sent."""
    return (naive_utc(now) - naive_utc(req.created_at)).days


def is_aging(req: DataEntryRequest, now: datetime | None = None) -> bool:
    """An open request waiting more than AGING_DAYS."""
    return req.status in OPEN_STATUSES and days_waiting(req, now) > AGING_DAYS


# --- attachments ----------------------------------------------------------------------------

def attachment_type(filename: str, data: bytes) -> str:
    """The whitelisted type of an upload, read from its first bytes; ValidationError otherwise."""
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"attachment": _(
            "The file is %(size).1f MB; attachments may be at most %(limit)s MB.",
            size=len(data) / 1024 / 1024, limit=f"{MAX_ATTACHMENT_BYTES / 1024 / 1024:g}")})
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").upper()
    if head.startswith(b"BEGIN:VCARD") and filename.lower().endswith((".vcf", ".vcard")):
        if parse_vcard(data) is not None:
            return "text/vcard"
        raise ValidationError({"attachment": _("This vCard file cannot be read.")})
    raise ValidationError({"attachment": _(
        "Attach a business-card photo (JPEG or PNG) or a vCard (.vcf) file; %(name)s is "
        "neither.", name=filename or _("this file"))})


def safe_filename(name: str | None) -> str:
    """A file name to store and offer for download: no folders, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = re.sub(r"[\x00-\x1f\x7f\"]", "", name).strip()
    return name[:200] or "attachment"


#: The contact fields a request takes from an attached vCard (read by importers.vcard, the
#: importer's reader: one reader for every vCard), by the reader's key.
VCARD_FIELDS = {"family_name": "family_name", "given_name": "given_name",
                "family_name_reading": "family_name_reading",
                "given_name_reading": "given_name_reading", "company_name": "company",
                "department": "department", "title": "title", "email": "email",
                "phone": "phone", "mobile": "mobile"}


def parse_vcard(data: bytes) -> dict[str, str] | None:
    """The person on a vCard (2.1, 3.0 or 4.0; UTF-8 or Shift_JIS), as contact fields
    (the mobile number included); None when the file is not a readable vCard."""
    from importers.vcard import card_values, split_cards

    try:
        cards, _encoding = split_cards(data)
    except Exception:  # noqa: BLE001  (a file that is no vCard at all)
        return None
    if not cards:
        return None
    values = card_values(cards[0])
    found = {ours: nfkc(values[theirs]) for theirs, ours in VCARD_FIELDS.items()
             if values.get(theirs) and nfkc(values[theirs])}
    # Phones also keep a spelling guide in the phonetic fields for Western names
    # ("Dart-mowth"): only kana is a reading; anything else would be refused by the contact
    # form it pre-fills.
    for key in ("family_name_reading", "given_name_reading"):
        if key in found and not is_kana_reading(found[key]):
            del found[key]
    return found or None


def vcard_person_name(card: dict[str, str]) -> str | None:
    """The name to file a request under, as a person writes it: 山田 花子, John Smith."""
    family, given = card.get("family_name"), card.get("given_name")
    if family and given:
        return f"{family} {given}" if is_japanese_name(family, given) else f"{given} {family}"
    return family or given


def name_fields(name: str | None) -> dict[str, str]:
    """A name typed in one field, as the contact form's fields (importers.values.split_name:
    山田 太郎 -> family 山田, given 太郎; John Smith -> given John, family Smith)."""
    text = nfkc(name)
    if not text:
        return {}
    family, given = split_name(text)
    return {"family_name": family, "given_name": given} if given else {"family_name": family}


# --- attachments kept while a form is corrected ---------------------------------------------

#: How long a held attachment waits for its form to come back.
HOLD_HOURS = 24


def hold_upload(name: str, data: bytes, *, by: User) -> str:
    """Keep an attachment whose form came back with an error; the token goes into the form.

    Committed on its own, the one exception to one-commit-per-request: the refused request
    wrote nothing and is rolled back, but the file must outlast it. Old held files go.
    """
    from secrets import token_urlsafe

    from crm.requests.models import HeldUpload

    db.session.rollback()  # nothing of the refused request may ride on this commit
    cutoff = naive_utc() - timedelta(hours=HOLD_HOURS)
    db.session.execute(HeldUpload.__table__.delete().where(HeldUpload.created_at < cutoff))
    token = token_urlsafe(32)
    db.session.add(HeldUpload(token=token, user_id=by.id, filename=safe_filename(name),
                              data=data, created_at=naive_utc()))
    db.session.commit()
    return token


def held_upload(token: str | None, *, by: User) -> Any:
    """The attachment held under this token for this user, or None (unknown, someone else's,
    or expired)."""
    from crm.requests.models import HeldUpload

    if not token:
        return None
    return db.session.scalars(select(HeldUpload).where(
        HeldUpload.token == token, HeldUpload.user_id == by.id,
        HeldUpload.created_at >= naive_utc() - timedelta(hours=HOLD_HOURS))).first()


# --- the researcher's side ------------------------------------------------------------------

def submit_request(data: dict[str, Any], attachment: tuple[str, bytes] | None = None, *,
                   by: User) -> DataEntryRequest:
    """A researcher's request, saved as sent (with the attachment, if any, checked first)."""
    errors: dict[str, str] = {}
    data = {k: (v.strip() or None) if isinstance(v, str) else v for k, v in data.items()}
    card = None
    if attachment is not None and attachment[1][:64].lstrip(b"\xef\xbb\xbf \t\r\n").upper() \
            .startswith(b"BEGIN:VCARD"):
        card = parse_vcard(attachment[1])
    if card:
        # A vCard alone is enough: what the researcher left blank comes from it.
        data["person_name"] = data.get("person_name") or vcard_person_name(card)
        for ours, theirs in (("company_name", "company"), ("person_title", "title"),
                             ("email", "email"), ("phone", "phone")):
            data[ours] = data.get(ours) or card.get(theirs)
        if not data.get("person_reading") and card.get("family_name_reading"):
            data["person_reading"] = " ".join(filter(None, [
                card.get("family_name_reading"), card.get("given_name_reading")]))
    if not data.get("person_name"):
        errors["person_name"] = _("Enter the name of the person you met.") if attachment is None \
            else _("Enter the name of the person on the card.")
    if not data.get("event_id") and not data.get("where_met") and attachment is None:
        errors["where_met"] = _(
            "Say where you met them: pick the event or describe the place.")
    if data.get("met_on") and data["met_on"] > office_today():
        errors["met_on"] = _("The meeting cannot be in the future.")
    try:
        data["email"] = normalise_email(data.get("email"))
    except ValueError:
        errors["email"] = _("This is not a valid e-mail address.")
    kind = name = None
    if attachment is not None:
        name = safe_filename(attachment[0])
        try:
            kind = attachment_type(name, attachment[1])
        except ValidationError as err:
            errors.update(err.errors)
    if errors:
        raise ValidationError(errors)
    req = DataEntryRequest(submitted_by_id=by.id, status="submitted",
                           **{k: data.get(k) for k in ORIGINAL_FIELDS})
    if attachment is not None:
        req.attachment_name, req.attachment_type, req.attachment = name, kind, attachment[1]
    db.session.add(req)
    db.session.flush()
    return req


def can_view(by: User, req: DataEntryRequest) -> bool:
    """The submitter and the business-development team see a request; nobody else."""
    return by.can("requests.work") or (by.id is not None and req.submitted_by_id == by.id)


def _refuse(message: str) -> None:
    raise ValidationError({"status": message})


def _message(req: DataEntryRequest, body: str, *, by: User) -> RequestMessage:
    message = RequestMessage(request=req, user_id=by.id, body=body)
    db.session.add(message)
    return message


def answer(req: DataEntryRequest, body: str, *, by: User) -> None:
    """The researcher answers the team's question: the request goes back into the queue."""
    if req.submitted_by_id != by.id:
        _refuse(_("Only the person who sent the request can answer."))
    if req.status != "returned":
        _refuse(_("The team has not asked anything on this request."))
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write your answer.")})
    _message(req, body, by=by)
    req.status = "submitted"
    db.session.flush()


def withdraw(req: DataEntryRequest, *, by: User) -> None:
    """The researcher takes the request back; what they sent stays on record."""
    if req.submitted_by_id != by.id:
        _refuse(_("Only the person who sent the request can withdraw it."))
    if req.status not in ("submitted", "claimed", "returned"):
        _refuse(_("A request that was entered or withdrawn cannot be withdrawn."))
    req.status = "withdrawn"
    db.session.flush()


# --- the team's side ------------------------------------------------------------------------

def claim(req: DataEntryRequest, *, by: User) -> None:
    """A team member takes the request (or takes it over from a colleague)."""
    if req.status not in OPEN_STATUSES:
        _refuse(_("Only a request waiting in the queue can be claimed."))
    req.status, req.claimed_by_id, req.claimed_at = "claimed", by.id, utcnow()
    db.session.flush()


def send_back(req: DataEntryRequest, question: str, *, by: User) -> None:
    """Return the request to the researcher with a question; it waits for their answer."""
    if req.status not in OPEN_STATUSES:
        _refuse(_("Only a request waiting in the queue can be sent back."))
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write the question for the researcher.")})
    _message(req, question, by=by)
    req.status = "returned"
    if req.claimed_by_id is None:
        req.claimed_by_id, req.claimed_at = by.id, utcnow()
    db.session.flush()


@dataclass
class Entry:
    """The team's version of the request: the person, where they were met, what was said."""

    person: PersonEntry
    event: Event | None
    meeting: Meeting
    #: Written on a new contact when there is no event to hold the conversation.
    notes: str | None = None
    how_we_met: str | None = None


def enter(req: DataEntryRequest, entry: Entry, plan: Plan, *, by: User) -> None:
    """Create or link the company and contact, record the encounter (when there is an event,
    met by the researcher) and mark the request entered with links to all of it."""
    if req.status not in OPEN_STATUSES:
        _refuse(_("Only a request waiting in the queue can be entered."))
    company, contact = save_person(entry.person, plan, how_we_met=entry.how_we_met)
    encounter = None
    if entry.event is not None:
        encounter = record_encounter(entry.event, contact, req.submitted_by_id, entry.meeting)
    elif entry.notes:
        stamp = (entry.meeting.met_on or office_today()).isoformat()
        contact.notes = "\n\n".join(filter(None, [contact.notes, f"[{stamp}] {entry.notes}"]))
    req.company_id = company.id if company else None
    req.contact_id, req.encounter_id = contact.id, encounter.id if encounter else None
    req.status, req.entered_at = "entered", utcnow()
    if req.claimed_by_id is None:
        req.claimed_by_id, req.claimed_at = by.id, utcnow()
    db.session.flush()


def queue_counts(now: datetime | None = None) -> dict[str, int]:
    """The numbers the team lead watches, in one query: waiting, claimed, returned, aging."""
    cutoff = naive_utc(now) - timedelta(days=AGING_DAYS)
    is_open = DataEntryRequest.status.in_(OPEN_STATUSES)

    def total(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    row = db.session.execute(select(
        total(is_open).label("open"),
        total(DataEntryRequest.status == "submitted").label("submitted"),
        total(DataEntryRequest.status == "claimed").label("claimed"),
        total(DataEntryRequest.status == "returned").label("returned"),
        total(is_open & (DataEntryRequest.created_at < cutoff)).label("aging"),
        func.min(case((is_open, DataEntryRequest.created_at))).label("oldest"),
    )).one()
    counts = {k: int(v) for k, v in row._mapping.items() if k != "oldest"}
    oldest = row.oldest
    if isinstance(oldest, str):  # SQLite hands back a string from an aggregate
        oldest = datetime.fromisoformat(oldest)
    counts["oldest_days"] = (naive_utc(now) - naive_utc(oldest)).days if oldest else 0
    return counts


def prefill(req: DataEntryRequest) -> dict[str, Any]:
    """The conversion form's starting values: what the researcher typed, with the vCard's
    structured fields (if one is attached) taking precedence where it has them."""
    values: dict[str, Any] = name_fields(req.person_name)
    readings = nfkc(req.person_reading).split(None, 1)
    if readings:
        values["family_name_reading"] = readings[0]
        if len(readings) > 1:
            values["given_name_reading"] = readings[1]
    values.update({"title": req.person_title, "company": req.company_name, "email": req.email,
                   "phone": req.phone})
    if req.attachment_type == "text/vcard" and req.attachment:
        card = parse_vcard(req.attachment) or {}
        values.update({k: v for k, v in card.items() if v})
    interests = "\n\n".join(filter(None, [req.interests, req.discussed]))
    values.update({"interests": interests or None, "small_talk": req.small_talk,
                   "met_on": req.met_on, "event": req.event,
                   "new_event": None if req.event else req.where_met})
    return {k: v for k, v in values.items() if v not in (None, "")}
