"""The fair form: an officer at a trade show logs a person met in one short form, on a phone.

Routes on the events blueprint (crm/events/__init__.py).
"""
from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from crm.common.forms import options, strip
from crm.common.params import arg_int, to_int
from crm.common.services import ValidationError
from crm.common.text import nfkc
from crm.common.views import form_errors, require
from crm.contacts.matching import find_contact
from crm.contacts.models import Contact
from crm.events.encounters import (
    Meeting,
    NeedsConfirmation,
    PersonEntry,
    find_or_create_event,
    parse_choice,
    plan_person,
    record_encounter,
    save_person,
    split_picked,
)
from crm.events import bp
from crm.events.models import Encounter, Event
from crm.extensions import db
from crm.common.suggest import SUGGESTERS
from crm.common.time import office_today

#: The session key holding the event the officer logged at last: the form comes back on it.
SESSION_KEY = "fair_event_id"
#: Events offered in the picker: running now, or within this many days either side of today.
RECENT_DAYS = 30
#: Service error keys that belong to a differently named field of the fair form.
FIELD_FOR = {"family_name_reading": "reading", "given_name_reading": "reading",
             "met_on": "event", "contact": "family_name"}


class FairForm(FlaskForm):
    event = SelectField(_l("Event"), choices=[], validate_choice=False)
    new_event = StringField(_l("New event"), validators=[Length(max=300)], filters=[strip],
                            description=_l("Type its name if it is not in the list; it is "
                                           "created as a trade show starting today."))
    family_name = StringField(_l("Family name"), filters=[strip], validators=[
        DataRequired(message=_l("Enter the family name.")), Length(max=100)])
    given_name = StringField(_l("Given name"), validators=[Length(max=100)], filters=[strip])
    reading = StringField(_l("Reading (ふりがな)"), validators=[Length(max=200)], filters=[strip],
                          description=_l("Family then given name, e.g. やまだ たろう"))
    company = StringField(_l("Company"), validators=[Length(max=320)], filters=[strip],
                          description=_l("Type freely: 株式会社ABC, ＡＢＣ(株) and ABC Co., Ltd. "
                                         "are the same company."))
    email = EmailField(_l("E-mail"), validators=[Length(max=254)], filters=[strip])
    title = StringField(_l("Title (役職)"), validators=[Length(max=200)], filters=[strip])
    department = StringField(_l("Department (部署)"), validators=[Length(max=200)],
                             filters=[strip])
    phone = TelField(_l("Phone"), validators=[Length(max=50)], filters=[strip])
    interests = TextAreaField(_l("Interested in"), filters=[strip], render_kw={"rows": 2})
    small_talk = TextAreaField(_l("Small talk (雑談)"), filters=[strip], render_kw={"rows": 2})
    follow_up_wanted = BooleanField(_l("Follow-up wanted"))
    follow_up_by = DateField(_l("Follow up by"), validators=[Optional()])
    dnc_confirmed = BooleanField(_l("Follow up anyway"),
                                 description=_l("This person is marked “Do not contact”."))

    def entry(self) -> PersonEntry:
        readings = nfkc(self.reading.data).split(None, 1)
        return PersonEntry(
            family_name=self.family_name.data, given_name=self.given_name.data or None,
            family_name_reading=readings[0] if readings else None,
            given_name_reading=readings[1] if len(readings) > 1 else None,
            title=self.title.data or None, department=self.department.data or None,
            email=self.email.data or None, phone=self.phone.data or None,
            company=self.company.data or None,
        )

    def meeting(self) -> Meeting:
        return Meeting(interests=self.interests.data or None,
                       small_talk=self.small_talk.data or None,
                       follow_up_wanted=self.follow_up_wanted.data,
                       follow_up_by=self.follow_up_by.data,
                       dnc_confirmed=self.dnc_confirmed.data)


def _recent_events(keep: int | None) -> list[Event]:
    """Events running now or near today, newest first (at most 30), and the one asked for or
    used last whatever its date, even when thirty others are nearer today."""
    today = office_today()
    window = timedelta(days=RECENT_DAYS)
    last_day = func.coalesce(Event.ends_on, Event.starts_on)
    events = list(db.session.execute(
        select(Event).where((Event.starts_on <= today + window) & (last_day >= today - window))
        .order_by(Event.starts_on.desc(), Event.id.desc()).limit(30)
    ).scalars())
    if keep and all(e.id != keep for e in events):
        kept = db.session.get(Event, keep)
        if kept is not None:
            events.insert(0, kept)
    return events


def _remembered_event() -> int | None:
    arg = arg_int("event")
    if arg is not None:
        return arg
    value = session.get(SESSION_KEY)
    return value if isinstance(value, int) else None


def _event_from_form(form: FairForm) -> Event | None:
    """The event picked, or None when a new one is to be created; errors on the form."""
    if form.new_event.data:
        return None
    picked = form.event.data or ""
    event = db.session.get(Event, to_int(picked)) if to_int(picked) is not None else None
    if event is None:
        raise ValidationError({"event": _("Pick the event, or type the name of a new one.")})
    return event


@bp.route("/fair", methods=["GET", "POST"])
@require("records.edit")
def fair():
    """Log someone met at a fair: one short form; the company and person are matched as typed,
    new ones created, the encounter recorded; then the form is ready for the next person."""
    remembered = _remembered_event()
    form = FairForm()
    # A form sent back (a question, an error) offers the event it was sent with.
    posted = to_int(request.form.get("event", "")) if request.method == "POST" else None
    events = _recent_events(posted or remembered)
    form.event.choices = options([("", _("— pick the event —"))] + [(e.id, e.name) for e in events])
    if request.method == "GET" and remembered and any(e.id == remembered for e in events):
        form.event.data = str(remembered)
    confirm: NeedsConfirmation | None = None
    choices = {"company": request.form.get("company_choice", ""),
               "contact": request.form.get("contact_choice", "")}
    if form.validate_on_submit():
        try:
            event = _event_from_form(form)
            entry = form.entry()
            plan = plan_person(entry, parse_choice(choices["company"]),
                               parse_choice(choices["contact"]))
            # Everything above only read; from here on the records are written.
            if event is None:
                event = find_or_create_event(form.new_event.data, office_today())
            _company, contact = save_person(entry, plan, how_we_met=event.name)
            encounter = record_encounter(event, contact, current_user.id, form.meeting())
        except NeedsConfirmation as need:
            confirm = need
        except ValidationError as err:
            form_errors(form, ValidationError(
                {FIELD_FOR.get(k, k): v for k, v in err.errors.items()}))
        else:
            session[SESSION_KEY] = event.id
            new = [name for name, is_new in (("contact", plan.contact is None),
                                             ("company", plan.new_company)) if is_new]
            return redirect(url_for("events.fair", event=event.id, saved=encounter.id,
                                    new=",".join(new) or None))
    saved = _saved_encounter(request.args.get("saved", ""))
    current = (db.session.get(Event, to_int(form.event.data))
               if to_int(form.event.data) is not None else None)
    logged = db.session.scalar(select(func.count(Encounter.id))
                               .where(Encounter.event_id == current.id)) if current else 0
    page = render_template("events/fair.html", form=form, confirm=confirm, choices=choices,
                           saved=saved, created=request.args.get("new", "").split(","),
                           current=current, logged=logged,
                           focus="family_name" if form.event.data else "event")
    # A confirmation question wrote nothing and is no error; anything else sent back is one.
    return page, 422 if request.method == "POST" and confirm is None else 200


def _saved_encounter(arg: str) -> Encounter | None:
    """The encounter just saved by this user, for the confirmation above the empty form."""
    if to_int(arg) is None:
        return None
    encounter = db.session.execute(
        select(Encounter).where(Encounter.id == to_int(arg))
        .options(joinedload(Encounter.contact).joinedload(Contact.company),
                 joinedload(Encounter.event))
    ).scalar_one_or_none()
    if encounter is None or encounter.user_id != current_user.id:
        return None
    return encounter


@bp.get("/fair/people")
@require("records.edit")
def fair_people():
    """As the officer types a name or e-mail: people already in the CRM who may be the one."""
    args = request.args
    family, given = nfkc(args.get("family_name")), nfkc(args.get("given_name"))
    email = nfkc(args.get("email"))
    people: list[Contact] = []
    exact = find_contact(email, family, given).exact if email else None
    if exact is not None:
        people.append(exact)
    if family:
        query = " ".join(p for p in (family, given) if p)
        for contact in db.session.execute(
                SUGGESTERS["contact"].search(query).options(joinedload(Contact.company))
                .limit(5)).scalars():
            if contact not in people:
                people.append(contact)
    company_name = split_picked(args.get("company"))[0]
    return render_template("events/_fair_people.html", people=people[:5], exact=exact,
                           company_name=company_name)
