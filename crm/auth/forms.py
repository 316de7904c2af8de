"""Login and user-management forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

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
    password = PasswordField(_l("Password"), validators=[Optional(), Length(min=10)],
                             description=_l("At least 10 characters. Leave empty to keep the "
                                            "current password."))
