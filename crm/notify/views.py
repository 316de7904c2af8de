"""The user's own digest setting."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from crm.auth.models import User
from crm.extensions import db
from crm.notify.digest import WEEKLY_DAY
from crm.notify.forms import DIGEST_LABELS, DigestForm

bp = Blueprint("notify", __name__)


@bp.route("/me/digest", methods=["GET", "POST"])
@login_required
def settings():
    """Turn the e-mail digest off, or choose daily or weekly (for oneself only)."""
    user = db.session.get(User, current_user.id)
    form = DigestForm(data={"digest": user.digest})
    if form.validate_on_submit():
        user.digest = form.digest.data
        flash(_("Saved: %(choice)s.", choice=DIGEST_LABELS[user.digest]), "success")
        return redirect(url_for("notify.settings"))
    return render_template("notify/settings.html", form=form, user=user,
                           weekly_day=WEEKLY_DAY), 422 if form.is_submitted() else 200
