"""Form pieces shared by every feature."""
from __future__ import annotations

import re
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms import Field, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError as WTFValidationError

from crm.common.params import to_int
from crm.common.suggest import SUGGESTERS
from crm.extensions import db

_ID_RE = re.compile(r"\[#(\d+)\]\s*$")


def strip(value: Any) -> Any:
    """Filter: trim text input."""
    return value.strip() if isinstance(value, str) else value


class ConfirmForm(FlaskForm):
    """An empty form: the CSRF token for a button that changes state (delete, log out)."""


class RecordInput:
    """A text input with a suggestion list that fills as the user types."""

    def __call__(self, field: RecordField, **kwargs: Any) -> Markup:
        kwargs.setdefault("id", field.id)
        list_id = f"{field.id}-options"
        suggest = url_for("main.suggest", kind=field.kind, field=field.name)
        attrs = {
            "type": "text", "name": field.name, "value": field._value(), "list": list_id,
            "autocomplete": "off", "hx-get": suggest, "hx-target": f"#{list_id}",
            "hx-trigger": "input changed delay:200ms", "hx-sync": "this:replace",
            **kwargs,
        }
        html = " ".join(
            f'{escape(k)}="{escape(v)}"' for k, v in attrs.items() if v not in (None, False)
        )
        return Markup(f"<input {html}><datalist id=\"{escape(list_id)}\"></datalist>")


class RecordField(Field):
    """Pick a record by typing: "Name [#12]" from the suggestions, or a name that is unique."""

    widget = RecordInput()

    def __init__(self, label: Any = None, validators: Any = None, *, kind: str, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.kind = kind
        self._raw = ""

    def _value(self) -> str:
        if self._raw:
            return self._raw
        if self.data is not None:
            return record_option(self.data)
        return ""

    def process_formdata(self, valuelist: list[str]) -> None:
        self._raw = (valuelist[0] if valuelist else "").strip()
        self.data = None
        if not self._raw:
            return
        spec = SUGGESTERS[self.kind]
        match = _ID_RE.search(self._raw)
        if match:
            ident = to_int(match.group(1))
            self.data = db.session.get(spec.model, ident) if ident is not None else None
            if self.data is None:
                raise WTFValidationError(_l("That record no longer exists; pick again."))
            return
        found = db.session.execute(spec.exact(self._raw).limit(2)).scalars().all()
        if len(found) == 1:
            self.data = found[0]
        elif not found:
            raise WTFValidationError(_l("Nothing by that name; pick one from the suggestions."))
        else:
            raise WTFValidationError(_l("Several records have that name; pick one from the "
                                        "suggestions."))


def record_option(obj: Any) -> str:
    """How a record is written in a RecordField: its label and id."""
    return f"{obj.label} [#{obj.id}]"


def options(pairs: Any, blank: bool = False) -> list[SelectChoice]:
    """Select choices from (value, label) pairs; WTForms 3.3 wants SelectChoice objects."""
    out = [SelectChoice(str(v), label) for v, label in pairs]
    return ([SelectChoice("", "—")] + out) if blank else out


def choices(values: tuple[str, ...], labels: dict[str, Any], blank: bool = False) -> list:
    """Select choices from allowed values and their translated labels."""
    return options(((v, labels.get(v, v)) for v in values), blank=blank)


class OptionalSelectField(SelectField):
    """A select whose blank choice means None."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.type = "SelectField"  # so Bootstrap-Flask renders it as a select

    def process_formdata(self, valuelist: list[str]) -> None:
        super().process_formdata(valuelist)
        if self.data == "":
            self.data = None

    def pre_validate(self, form: Any) -> None:
        if self.data is None:
            return
        super().pre_validate(form)


def all_records(model: type, order: Any) -> list:
    """A small table's rows for a select (departments, users)."""
    return list(db.session.execute(select(model).order_by(order)).scalars())
