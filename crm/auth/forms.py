"""Login and user-management forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from crm.auth.passwords import MIN_LENGTH
from crm.auth.permissions import ROLE_LABELS, Role
from crm.common.forms import RecordField, options, strip


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()], filters=[strip])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email()], filters=[strip])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)], filters=[strip])
    roles = MultiCheckboxField(
        _l("Roles"), choices=options((r.value, _l(ROLE_LABELS[r])) for r in Role),
        validators=[DataRequired(message=_l("Give the user at least one role."))],
    )
    researcher = RecordField(_l("Researcher record (for the researcher role)"),
                             validators=[Optional()], kind="researcher")
    active = BooleanField(_l("Active (may log in)"), default=True)
    password = PasswordField(_l("Password"), validators=[Optional()],
                             description=_l("At least %(n)s characters, not a common password, "
                                            "not the e-mail address.", n=MIN_LENGTH))


class EditUserForm(UserForm):
    """Changing an existing user: their password is set on its own page."""

    password = None


_NEW_HELP = _l("At least %(n)s characters, not a common password, not your e-mail address. "
               "A few unrelated words are easy to remember.", n=MIN_LENGTH)


class ChangePasswordForm(FlaskForm):
    """The user's own password (Account page)."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 description=_NEW_HELP)
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("new_password", message=_l("The two new passwords differ."))])


class SetPasswordForm(FlaskForm):
    """An administrator sets a new password for a user who forgot theirs."""

    password = PasswordField(_l("New password"), validators=[DataRequired()],
                             description=_l("At least %(n)s characters, not a common password, "
                                            "not the user's e-mail address. Tell it to the user "
                                            "in person or by phone.", n=MIN_LENGTH))
    confirm = PasswordField(_l("New password again"), validators=[
        DataRequired(), EqualTo("password", message=_l("The two passwords differ."))])
