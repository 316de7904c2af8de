"""Event pages (展示会, conferences, seminars, visits) and the encounters recorded at them."""
from __future__ import annotations


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import joinedload

from crm.auth.models import User
from crm.common.forms import ConfirmForm
from crm.common.params import to_int
from crm.common.services import ValidationError
from crm.common.suggest import named_suggester, register
from crm.common.text import nfkc
from crm.common.time import office_today
from crm.common.views import (
    safe_next,
    confirm_delete,
    get_or_404,
    like,
    paginate,
    render_list,
    require,
    save_form,
)
from crm.contacts.models import Contact
from crm.events import bp, services
from crm.events import quick  # noqa: F401  (adds the fair form's routes to bp)
from crm.events.forms import KIND_LABELS, EncounterForm, EventForm
from crm.events.models import Encounter, Event
from crm.extensions import db

register("event", named_suggester(Event, Event.name, Event.starts_on.desc()))

WHEN_LABELS = {"upcoming": _l("Upcoming and current"), "past": _l("Past")}


def search_events(stmt: Select, q: str) -> Select:
    """Name or location containing the text."""
    text = nfkc(q)
    return stmt.where(or_(Event.name.ilike(like(text), escape="\\"),
                          Event.location.ilike(like(text), escape="\\")))


def _last_day():
    return func.coalesce(Event.ends_on, Event.starts_on)


SORTS = {"date": Event.starts_on, "name": Event.name, "kind": Event.kind,
         "location": Event.location}

FILTERS = {
    "kind": lambda s, v: s.where(Event.kind == v),
    "when": lambda s, v: (s.where(_last_day() >= office_today()) if v == "upcoming"
                          else s.where(_last_day() < office_today()) if v == "past" else s),
}


def _safe_next(default: str) -> str:
    """The form's next= target when it stays on this site, else the default."""
    return safe_next(request.form.get("next") or request.args.get("next"), default)


@bp.get("/")
@require("records.view")
def index():
    """All events, newest first, filtered as the user types."""
    page = paginate(select(Event), search=search_events, sorts=SORTS, default_sort="date",
                    filters=FILTERS, default_dir="desc")
    tallies = {}
    if page.items:
        rows = db.session.execute(
            select(Encounter.event_id, func.count(Encounter.id),
                   func.sum(case((Encounter.follow_up_wanted & ~Encounter.follow_up_done, 1),
                                 else_=0)))
            .where(Encounter.event_id.in_([e.id for e in page.items]))
            .group_by(Encounter.event_id)
        ).all()
        tallies = {event_id: (met, int(open_ or 0)) for event_id, met, open_ in rows}
    return render_list("events/index.html", page=page, tallies=tallies, KIND_LABELS=KIND_LABELS,
                       WHEN_LABELS=WHEN_LABELS, today=office_today())


@bp.get("/<int:event_id>")
@require("records.view")
def show(event_id: int):
    """The event page: everyone met there, reviewable together."""
    event = get_or_404(Event, event_id)
    encounters = db.session.execute(
        select(Encounter).where(Encounter.event_id == event.id)
        .join(Contact, Encounter.contact_id == Contact.id)
        .order_by(Encounter.met_on, func.coalesce(Contact.family_name_reading,
                                                  Contact.family_name), Encounter.id)
        .options(joinedload(Encounter.contact).joinedload(Contact.company),
                 joinedload(Encounter.user))
    ).scalars().all()
    open_follow_ups = sum(1 for e in encounters if e.follow_up_wanted and not e.follow_up_done)
    return render_template("events/show.html", event=event, encounters=encounters,
                           open_follow_ups=open_follow_ups, KIND_LABELS=KIND_LABELS,
                           done_form=ConfirmForm(), today=office_today())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit(event_id: int | None = None):
    """Create an event or edit one; errors appear beside their fields and nothing is saved."""
    event = get_or_404(Event, event_id) if event_id else None
    form = EventForm(obj=event)
    return save_form(
        form, lambda: services.save_event(event, form.data_for_service()),
        message=lambda saved: _("Saved %(name)s.", name=saved.name),
        target=lambda saved: url_for("events.show", event_id=saved.id),
        render=lambda: render_template("events/form.html", form=form, event=event),
        record=event,
    )


@bp.route("/<int:event_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete(event_id: int):
    """Ask first, showing how many encounters go with it; then delete the event."""
    event = get_or_404(Event, event_id)
    return confirm_delete(
        lambda: services.delete_event(event),
        message=_("Deleted %(name)s.", name=event.name),
        target=url_for("events.index"),
        render=lambda form: render_template(
            "events/delete.html", event=event, form=form,
            counts={"encounters": services.encounter_count(event)}),
    )


def _user_choices(current: int | None) -> list[tuple[str, str]]:
    """Active users for "met by", plus the one already chosen if they have left since."""
    users = db.session.execute(
        select(User.id, User.name).where(or_(User.active.is_(True), User.id == current))
        .order_by(User.name)
    ).all()
    return [("", "—")] + [(str(i), n) for i, n in users]


def _encounter_form(event: Event, encounter: Encounter | None):
    """Show the encounter form, and save it when sent."""
    form = EncounterForm(obj=encounter)
    form.user.choices = _user_choices(encounter.user_id if encounter else None)
    if request.method == "GET":
        if encounter is None:
            form.user.data = current_user.id
            form.met_on.data = event.starts_on
            contact_arg = request.args.get("contact", "")
            if to_int(contact_arg) is not None:
                form.contact.data = db.session.get(Contact, to_int(contact_arg))
        else:
            form.user.data = encounter.user_id
    return save_form(
        form, lambda: services.save_encounter(encounter, event, form.data_for_service()),
        message=lambda saved: _("Saved the encounter with %(name)s.",
                                name=saved.contact.display_name),
        target=lambda saved: url_for("events.show", event_id=event.id,
                                     _anchor=f"encounter-{saved.id}"),
        render=lambda: render_template("events/encounter_form.html", form=form, event=event,
                                       encounter=encounter),
        record=encounter,
    )


@bp.route("/<int:event_id>/encounters/new", methods=["GET", "POST"])
@require("records.edit")
def new_encounter(event_id: int):
    """Record someone met at this event (?contact=ID picks them in advance)."""
    return _encounter_form(get_or_404(Event, event_id), None)


@bp.route("/encounters/<int:encounter_id>/edit", methods=["GET", "POST"])
@require("records.edit")
def edit_encounter(encounter_id: int):
    """Change an encounter: what was talked about, the follow-up."""
    encounter = get_or_404(Encounter, encounter_id, joinedload(Encounter.event),
                           joinedload(Encounter.contact))
    return _encounter_form(encounter.event, encounter)


@bp.route("/encounters/<int:encounter_id>/delete", methods=["GET", "POST"])
@require("records.delete")
def delete_encounter(encounter_id: int):
    """Ask first; then delete the encounter (the contact and the event stay)."""
    encounter = get_or_404(Encounter, encounter_id, joinedload(Encounter.event),
                           joinedload(Encounter.contact))
    return confirm_delete(
        lambda: services.delete_encounter(encounter),
        message=_("Deleted the encounter with %(name)s.", name=encounter.contact.display_name),
        target=url_for("events.show", event_id=encounter.event_id),
        render=lambda form: render_template("events/encounter_delete.html",
                                            encounter=encounter, form=form),
    )


@bp.post("/encounters/<int:encounter_id>/done")
@require("records.edit")
def follow_up_done(encounter_id: int):
    """Tick off an encounter's follow-up, then go back where the button was."""
    encounter = get_or_404(Encounter, encounter_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.mark_follow_up_done(encounter)
    except ValidationError as err:
        flash(err.errors["follow_up_done"], "warning")
        return redirect(_safe_next(url_for("events.show", event_id=encounter.event_id)))
    flash(_("Follow-up marked done."), "success")
    return redirect(_safe_next(url_for("events.show", event_id=encounter.event_id,
                                       _anchor=f"encounter-{encounter.id}")))

