"""Log in and out; user management for admins."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user, login_required, logout_user
from sqlalchemy import or_, select

from crm.auth import services, sessions, throttle
from crm.auth.forms import (ChangePasswordForm, EditUserForm, LoginForm, SetPasswordForm,
                            UserForm)
from crm.auth.models import User
from crm.common.forms import ConfirmForm
from crm.common.services import ValidationError
from crm.common.sql import like
from crm.common.suggest import Suggester, register
from crm.common.text import nfkc
from crm.common.views import (form_errors, get_or_404, paginate, render_list, require,
                              safe_next, save_form)
from crm.extensions import db

bp = Blueprint("auth", __name__)

register("user", Suggester(
    User,
    lambda q: select(User).where(or_(User.name.ilike(like(nfkc(q)), escape="\\"),
                                     User.email.ilike(like(nfkc(q)), escape="\\")))
    .order_by(User.name),
    lambda t: select(User).where(or_(User.name == nfkc(t), User.email == nfkc(t).lower())),
))


def _too_many(wait: int) -> tuple[str, dict[str, str]]:
    """The 429 answer of the login throttle, on the page the user was on."""
    minutes = max(1, (wait + 59) // 60)
    message = ngettext(
        "Too many failed logins for this account or from this address. Try again in "
        "%(num)d minute, or ask an administrator to set a new password.",
        "Too many failed logins for this account or from this address. Try again in "
        "%(num)d minutes, or ask an administrator to set a new password.", minutes)
    return message, {"Retry-After": str(wait)}


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page: refused for a while after too many wrong passwords (429)."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    services.dummy_hash()  # made once per process, before the first answer that needs it
    form = LoginForm()
    if form.validate_on_submit():
        address = request.remote_addr or "unknown"
        wait = throttle.wait_seconds(form.email.data, address)
        if wait:
            message, headers = _too_many(wait)
            form.password.errors.append(message)
            return render_template("auth/login.html", form=form), 429, headers
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            throttle.clear(form.email.data)
            sessions.start(user)
            return redirect(safe_next(request.args.get("next"), url_for("main.home")))
        throttle.record_failure(form.email.data, address)
        form.password.errors.append(_("Wrong e-mail or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out everywhere: every session of this user ends, on every device (a POST with a CSRF
    token, so no other site can log you out)."""
    if ConfirmForm().validate_on_submit():
        user = db.session.get(User, current_user.id)
        user.end_sessions()
        logout_user()
        sessions.end()
    return redirect(url_for("auth.login"))


@bp.get("/users/")
@require("users.manage")
def users():
    """All users and their roles."""
    page = paginate(select(User), sorts={"name": User.name, "email": User.email},
                    default_sort="name",
                    search=lambda s, q: s.where(User.name.contains(q) | User.email.contains(q)))
    return render_list("auth/users.html", page=page)


def _save_user(form: UserForm, user: User | None) -> User:
    """Create or update the user from the form; a new user must be given a password."""
    data = dict(email=form.email.data, name=form.name.data, roles=form.roles.data,
                researcher_id=form.researcher.data.id if form.researcher.data else None)
    if user is None:
        if not form.password.data:
            raise ValidationError({"password": _("Set a password for the new user.")})
        return services.create_user(password=form.password.data, **data)
    saved = services.update_user(user, active=form.active.data, by=current_user, **data)
    if saved.id == current_user.id:  # an admin editing themself stays logged in here
        sessions.refresh(saved)
    return saved


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id: int | None = None):
    """Create a user or change one's roles, status or password."""
    user = get_or_404(User, user_id) if user_id else None
    form = EditUserForm(obj=user) if user is not None else UserForm()
    if request.method == "GET" and user is not None:
        form.roles.data = sorted(user.roles)
        form.researcher.data = user.researcher
    return save_form(
        form, lambda: _save_user(form, user),
        message=lambda saved: _("Saved %(name)s.", name=saved.name),
        target=lambda saved: url_for("auth.users"),
        render=lambda: render_template("auth/user_form.html", form=form, user=user),
        record=user,
    )


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
@require("users.manage")
def set_password(user_id: int):
    """Set a new password for a user who forgot theirs: their sessions end, their login
    throttle is cleared; the audit trail records who did it."""
    user = get_or_404(User, user_id)
    form = SetPasswordForm()

    def save() -> User:
        saved = services.set_password_for(user, form.password.data)
        if saved.id == current_user.id:
            sessions.refresh(saved)
        return saved

    return save_form(
        form, save,
        message=lambda saved: _("New password set for %(name)s. Their sessions have ended.",
                                name=saved.name),
        target=lambda saved: url_for("auth.users"),
        render=lambda: render_template("auth/user_password.html", form=form, user=user),
    )


@bp.route("/me", methods=["GET", "POST"])  # its former address
@bp.route("/account", methods=["GET", "POST"])
@login_required
def me():
    """The logged-in user's own details, and a new password (the current one is asked)."""
    user = db.session.get(User, current_user.id)
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        wait = throttle.wait_seconds(user.email, request.remote_addr or "unknown")
        if wait:
            message, headers = _too_many(wait)
            form.current_password.errors.append(message)
            return render_template("auth/me.html", user=user, form=form), 429, headers
        try:
            services.change_own_password(user, current=form.current_password.data,
                                         new=form.new_password.data)
        except ValidationError as err:
            if "current_password" in err.errors:
                throttle.record_failure(user.email, request.remote_addr or "unknown")
                user = db.session.get(User, current_user.id)
            form_errors(form, err)
        else:
            sessions.refresh(user)
            flash(_("Your password has been changed. Every other session of yours has ended."),
                  "success")
            return redirect(url_for("auth.me"))
    if request.method == "POST":
        status = 422
    return render_template("auth/me.html", user=user, form=form), status
