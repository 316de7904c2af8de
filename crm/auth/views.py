"""Log in and out; user management for admins."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from crm.auth import services
from crm.auth.forms import LoginForm, UserForm
from crm.auth.models import User
from crm.common.forms import ConfirmForm
from crm.common.services import ValidationError
from crm.common.views import safe_next, get_or_404, paginate, render_list, require, save_form
from crm.extensions import db

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The login page."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(safe_next(request.args.get("next"), url_for("main.home")))
        form.password.errors.append(_("Wrong e-mail or password."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST with a CSRF token, so no other site can log you out)."""
    if ConfirmForm().validate_on_submit():
        logout_user()
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
    return services.update_user(user, active=form.active.data, password=form.password.data,
                                acting_user=current_user, **data)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require("users.manage")
def edit_user(user_id: int | None = None):
    """Create a user or change one's roles, status or password."""
    user = get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
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


@bp.get("/me")
@login_required
def me():
    """The logged-in user's own details and language."""
    return render_template("auth/me.html", user=db.session.get(User, current_user.id))
