"""The timeline of a company or contact: a section of its page, and a page of its own for
older entries and one kind at a time (htmx swaps it into the section; without script the
links open the page)."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from crm.common.params import arg_choice, arg_int
from crm.common.views import get_or_404, require
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.timeline import services

bp = Blueprint("timeline", __name__, url_prefix="/timeline")

MODELS = {"company": Company, "contact": Contact}


@bp.get("/<any(company, contact):subject>/<int:record_id>")
@require("records.view")
def show(subject: str, record_id: int):
    """A page of the timeline: ?kind= one kind (of those the role may see), ?page= older."""
    record = get_or_404(MODELS[subject], record_id)
    kind = arg_choice("kind", services.KINDS, strict=True)
    if kind is not None and kind not in services.kinds_for(current_user, subject):
        abort(403)
    page = arg_int("page", 1, minimum=1, maximum=services.MAX_PAGE, strict=True)
    result = services.timeline(subject, record.id, by=current_user, kind=kind, page=page)
    context = {"tl": result, "record": record, "labels": services.kind_labels()}
    if request.headers.get("HX-Request"):
        return render_template("timeline/_timeline.html", **context)
    return render_template("timeline/page.html", **context)


@bp.app_template_global()
def timeline_for(subject: str, record_id: int) -> services.TimelinePage:
    """For the company and contact pages: the first page of every kind the user may see."""
    return services.timeline(subject, record_id, by=current_user)


@bp.app_context_processor
def _labels() -> dict:
    return {"TIMELINE_LABELS": services.kind_labels}

