"""Home page, language choice and record suggestions."""
from __future__ import annotations


from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.common.forms import ConfirmForm, record_option
from crm.common.views import require, safe_next
from crm.companies.models import Company
from crm.contacts.models import Contact
from crm.events.models import Encounter
from crm.extensions import db
from crm.common.suggest import SUGGESTERS
from crm.research.models import ResearchSeed
from crm.common.time import office_today

bp = Blueprint("main", __name__)


@bp.get("/")
@require("records.view")
def home():
    """The start page: counts, my companies, recent activity and follow-ups due."""
    counts = {
        # count(*) lets the engine count an index instead of reading every row
        "companies": db.session.scalar(select(func.count()).select_from(Company)),
        "contacts": db.session.scalar(select(func.count()).select_from(Contact)),
        "seeds": db.session.scalar(select(func.count()).select_from(ResearchSeed)),
    }
    mine = db.session.execute(
        select(Company).where(Company.officer_id == current_user.id).order_by(Company.name)
        .limit(20)
    ).scalars().all()
    recent = db.session.execute(
        select(Activity).order_by(Activity.occurred_on.desc(), Activity.id.desc()).limit(10)
        .options(db.joinedload(Activity.company), db.joinedload(Activity.user))
    ).scalars().all()
    follow_ups = db.session.execute(
        select(Encounter).where(Encounter.user_id == current_user.id,
                                Encounter.follow_up_wanted.is_(True),
                                Encounter.follow_up_done.is_(False))
        .order_by(Encounter.follow_up_by).limit(10)
        .options(db.joinedload(Encounter.contact), db.joinedload(Encounter.event))
    ).scalars().all()
    return render_template("main/home.html", counts=counts, mine=mine, recent=recent,
                           follow_ups=follow_ups, today=office_today())


@bp.post("/language/<lang>")
def language(lang: str):
    """Switch the interface language (kept on the user when logged in)."""
    if lang not in ("ja", "en") or not ConfirmForm().validate_on_submit():
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated:
        current_user.locale = lang
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@bp.get("/suggest/<kind>")
@login_required
def suggest(kind: str):
    """Up to 15 records whose name contains what the user typed, as <option>s."""
    spec = SUGGESTERS.get(kind)
    if spec is None:
        abort(404)
    if not current_user.can(spec.permission):
        abort(403)
    text = (request.args.get(request.args.get("field", "q")) or "").strip()
    options = []
    if text and "[#" not in text:
        options = db.session.execute(spec.search(text).limit(15)).scalars().all()
    # A person marked do-not-contact says so in the list, before they are picked.
    return render_template("main/_options.html", options=[
        (record_option(o), _("Do not contact") if getattr(o, "do_not_contact", False) else "")
        for o in options])


@bp.get("/healthz")
def healthz():
    """Liveness check (the process answers) and the benchmark's bare route: touches nothing,
    not even the database."""
    return {"status": "ok"}


@bp.get("/readyz")
def readyz():
    """Readiness for load balancers and deploy scripts: database reachable, schema at the
    newest migration, search index open, index lag in seconds; 503 when not ready."""
    from crm.ops.health import readiness

    ready, report = readiness()
    response = jsonify(report)
    response.status_code = 200 if ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
