"""Data-entry request pages: a researcher's requests, the team's queue, the conversion form."""
from __future__ import annotations

from collections.abc import Callable

from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import joinedload, selectinload

from crm.common.forms import ConfirmForm
from crm.common.services import ValidationError
from crm.common.text import nfkc
from crm.common.views import form_errors, get_or_404, like, paginate, render_list, require
from crm.events.encounters import NeedsConfirmation, Plan, find_or_create_event, parse_choice, plan_person
from crm.events.forms import KIND_LABELS
from crm.extensions import db
from crm.requests import services
from crm.requests.forms import (
    STATUS_BADGES,
    STATUS_LABELS,
    TEAM_STATUS_LABELS,
    AnswerForm,
    ConversionForm,
    QuestionForm,
    RequestForm,
)
from crm.requests.models import DataEntryRequest, RequestMessage
from crm.common.time import office_today

bp = Blueprint("requests", __name__, url_prefix="/requests")

#: The queue's status filter: "open" (the default) is everything waiting for the team.
QUEUE_FILTER_LABELS = {"open": _l("Open (waiting or claimed)"), "submitted": _l("Unclaimed"),
                       "claimed": _l("Claimed"), "returned": _l("Sent back"),
                       "entered": _l("Entered"), "withdrawn": _l("Withdrawn")}
#: Service error keys shown beside a differently named field of the conversion form.
FIELD_FOR = {"contact": "family_name", "status": "company"}


def search_requests(stmt: Select, q: str) -> Select:
    """Person, company or place containing the text."""
    pattern = like(nfkc(q))
    return stmt.where(or_(DataEntryRequest.person_name.ilike(pattern, escape="\\"),
                          DataEntryRequest.company_name.ilike(pattern, escape="\\"),
                          DataEntryRequest.where_met.ilike(pattern, escape="\\")))


SORTS = {"age": DataEntryRequest.created_at, "person": DataEntryRequest.person_name,
         "company": DataEntryRequest.company_name, "status": DataEntryRequest.status}


def _status_filter(stmt: Select, value: str) -> Select:
    if value == "open":
        return stmt.where(DataEntryRequest.status.in_(services.OPEN_STATUSES))
    if value in STATUS_LABELS:
        return stmt.where(DataEntryRequest.status == value)
    return stmt


FILTERS = {
    "status": _status_filter,
    "claimed": lambda s, v: s.where(DataEntryRequest.claimed_by_id == current_user.id)
    if v == "me" else s,
}


def _load(request_id: int) -> DataEntryRequest:
    """The request if this user may see it: 404 when there is none, 403 when not theirs."""
    req = get_or_404(DataEntryRequest, request_id, joinedload(DataEntryRequest.submitted_by),
                     joinedload(DataEntryRequest.claimed_by), joinedload(DataEntryRequest.event),
                     joinedload(DataEntryRequest.company), joinedload(DataEntryRequest.contact),
                     joinedload(DataEntryRequest.encounter))
    if not services.can_view(current_user, req):
        abort(403)
    return req


def _list_options():
    return (joinedload(DataEntryRequest.submitted_by), joinedload(DataEntryRequest.claimed_by),
            joinedload(DataEntryRequest.event))


@bp.get("/")
@require("requests.submit")
def index():
    """The team's queue, oldest first; anyone else sees their own requests."""
    if not current_user.can("requests.work"):
        return mine()
    stmt = select(DataEntryRequest).options(*_list_options())
    if "status" not in request.args:
        stmt = _status_filter(stmt, "open")
    page = paginate(stmt, search=search_requests, sorts=SORTS, default_sort="age",
                    filters=FILTERS)
    return render_list("requests/index.html", page=page, counts=services.queue_counts(),
                       status=request.args.get("status", "open"),
                       QUEUE_FILTER_LABELS=QUEUE_FILTER_LABELS, STATUS_LABELS=TEAM_STATUS_LABELS,
                       STATUS_BADGES=STATUS_BADGES, days_waiting=services.days_waiting,
                       is_aging=services.is_aging, AGING_DAYS=services.AGING_DAYS)


@bp.get("/mine")
@require("requests.submit")
def mine():
    """The requests this user sent, newest first, with their status."""
    stmt = select(DataEntryRequest).where(DataEntryRequest.submitted_by_id == current_user.id) \
        .options(*_list_options(), selectinload(DataEntryRequest.messages))
    page = paginate(stmt, search=search_requests, sorts=SORTS, default_sort="age",
                    filters={"status": _status_filter}, default_dir="desc")
    return render_list("requests/mine.html", page=page, STATUS_LABELS=STATUS_LABELS,
                       STATUS_BADGES=STATUS_BADGES)


@bp.route("/new", methods=["GET", "POST"])
@require("requests.submit")
def new():
    """Ask the team to record someone you met; a card photo or vCard may go with it (a vCard
    alone is enough). A form sent back with an error keeps the attachment: nobody re-attaches."""
    form = RequestForm()
    held = kept_name = None
    if request.method == "POST" and form.is_submitted():
        upload = form.attachment.data
        attachment = None
        if upload is not None and getattr(upload, "filename", ""):
            # Read one byte past the limit: enough to refuse an oversize file without keeping it.
            attachment = (upload.filename, upload.read(services.MAX_ATTACHMENT_BYTES + 1))
        else:
            held = services.held_upload(form.held.data, by=current_user)
            if held is not None:
                attachment = (held.filename, held.data)
        errors: dict[str, str] = {}
        if form.validate():
            try:
                req = services.submit_request(form.data_for_service(), attachment, by=current_user)
            except ValidationError as err:
                errors = err.errors
                form_errors(form, err)
            else:
                if held is not None:
                    db.session.delete(held)
                flash(_("Sent. The business-development team will enter %(name)s; you can "
                        "follow the request here.", name=req.person_name), "success")
                return redirect(url_for("requests.show", request_id=req.id))
        form.held.data = None
        if attachment is not None and "attachment" not in errors and "csrf_token" not in form.errors:
            form.held.data = held.token if held is not None else services.hold_upload(
                *attachment, by=current_user)
            kept_name = services.safe_filename(attachment[0])
    return render_template("requests/form.html", form=form, kept_name=kept_name), \
        422 if request.method == "POST" else 200


def _show(req: DataEntryRequest, *, question: QuestionForm | None = None,
          answer: AnswerForm | None = None, status: int = 200):
    card = None
    if req.attachment_type == "text/vcard" and current_user.can("requests.work"):
        card = services.parse_vcard(req.attachment or b"")
    messages = db.session.execute(
        select(RequestMessage).where(RequestMessage.request_id == req.id)
        .order_by(RequestMessage.id).options(joinedload(RequestMessage.user))
    ).scalars().all()
    team = current_user.can("requests.work")
    return render_template(
        "requests/show.html", req=req, messages=messages, card=card, team=team,
        mine=req.submitted_by_id == current_user.id,
        question=question or QuestionForm(), answer=answer or AnswerForm(), button=ConfirmForm(),
        STATUS_LABELS=TEAM_STATUS_LABELS if team else STATUS_LABELS, STATUS_BADGES=STATUS_BADGES,
        days=services.days_waiting(req), aging=services.is_aging(req),
    ), status


@bp.get("/<int:request_id>")
@require("requests.submit")
def show(request_id: int):
    """One request: what was sent, as sent; the questions and answers; what it became."""
    return _show(_load(request_id))


@bp.get("/<int:request_id>/attachment")
@require("requests.submit")
def attachment(request_id: int):
    """The card photo or vCard, to the submitter and the team only, always as a download."""
    req = _load(request_id)
    if not req.attachment_name:
        abort(404)
    kind = req.attachment_type if req.attachment_type in services.ATTACHMENT_TYPES \
        else "application/octet-stream"
    response = send_file(BytesIO(req.attachment or b""), mimetype=kind, as_attachment=True,
                         download_name=req.attachment_name, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _act(req: DataEntryRequest, action, message: str):
    """Run a state change from a button; refusals are flashed (409) and nothing changes."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action()
    except ValidationError as err:
        for reason in err.errors.values():
            flash(reason, "warning")
        return redirect(url_for("requests.show", request_id=req.id)), 303
    flash(message, "success")
    return redirect(url_for("requests.show", request_id=req.id))


@bp.post("/<int:request_id>/claim")
@require("requests.work")
def claim(request_id: int):
    """Take the request: it is now yours to enter."""
    req = _load(request_id)
    return _act(req, lambda: services.claim(req, by=current_user), _("Claimed."))


@bp.post("/<int:request_id>/withdraw")
@require("requests.submit")
def withdraw(request_id: int):
    """Take back your request; what you sent stays on record."""
    req = _load(request_id)
    return _act(req, lambda: services.withdraw(req, by=current_user), _("Withdrawn."))


def _post_message(req, form, field: str, post: Callable[[str], None], done: str):
    """Post a question or an answer on a request; status problems are flashed, the rest shown
    beside the field (422)."""
    if form.validate_on_submit():
        try:
            post(form[field].data)
        except ValidationError as err:
            form_errors(form, err)
            for key, reason in err.errors.items():
                if key == "status":
                    flash(reason, "warning")
        else:
            flash(done, "success")
            return redirect(url_for("requests.show", request_id=req.id))
    return None


@bp.post("/<int:request_id>/return")
@require("requests.work")
def send_back(request_id: int):
    """Send the request back to the researcher with a question."""
    req = _load(request_id)
    form = QuestionForm()
    done = _("Sent back to %(name)s with your question.",
             name=req.submitted_by.name if req.submitted_by else "?")
    return (_post_message(req, form, "question",
                          lambda text: services.send_back(req, text, by=current_user), done)
            or _show(req, question=form, status=422))


@bp.post("/<int:request_id>/answer")
@require("requests.submit")
def answer(request_id: int):
    """Answer the team's question: the request goes back into their queue."""
    req = _load(request_id)
    form = AnswerForm()
    done = _("Answer sent; the request is back in the team's queue.")
    return (_post_message(req, form, "body",
                          lambda text: services.answer(req, text, by=current_user), done)
            or _show(req, answer=form, status=422))


@bp.route("/<int:request_id>/enter", methods=["GET", "POST"])
@require("requests.work")
def enter(request_id: int):
    """Turn the request into records: a form pre-filled from it (and its vCard); possible
    duplicates are shown before anything is created."""
    if not current_user.can("records.edit"):
        abort(403)
    req = _load(request_id)
    if req.status not in services.OPEN_STATUSES:
        flash(_("This request is not waiting in the queue."), "warning")
        return redirect(url_for("requests.show", request_id=req.id))
    form = ConversionForm(data=services.prefill(req) if request.method == "GET" else None)
    choices = {"company": request.form.get("company_choice", ""),
               "contact": request.form.get("contact_choice", "")}
    confirm: NeedsConfirmation | None = None
    plan: Plan | None = None
    if form.validate_on_submit():
        try:
            plan = plan_person(form.person(), parse_choice(choices["company"]),
                               parse_choice(choices["contact"]))
            # Everything above only read; from here on the records are written.
            event = form.event.data
            if event is None and form.new_event.data:
                event = find_or_create_event(form.new_event.data,
                                             form.met_on.data or req.met_on or office_today(),
                                             form.new_event_kind.data)
            notes = "\n\n".join(filter(None, [form.interests.data, form.small_talk.data]))
            where = event.name if event else req.where_met
            services.enter(req, services.Entry(
                person=form.person(), event=event, meeting=form.meeting(), notes=notes or None,
                how_we_met=where), plan, by=current_user)
        except NeedsConfirmation as need:
            confirm = need
        except ValidationError as err:
            form_errors(form, ValidationError(
                {FIELD_FOR.get(k, k): v for k, v in err.errors.items()}))
        else:
            flash(_("Entered %(name)s; the request now links to what was created.",
                    name=req.contact.display_name if req.contact else req.person_name),
                  "success")
            return redirect(url_for("requests.show", request_id=req.id))
    elif request.method == "GET":
        # Show what the CRM already holds before anything is created.
        try:
            plan = plan_person(form.person())
        except NeedsConfirmation as need:
            confirm = need
        except ValidationError:
            plan = None
    card = services.parse_vcard(req.attachment or b"") \
        if req.attachment_type == "text/vcard" else None
    status = 422 if request.method == "POST" and confirm is None else 200
    return render_template("requests/enter.html", req=req, form=form, confirm=confirm,
                           plan=plan, choices=choices, card=card,
                           KIND_LABELS=KIND_LABELS), status
