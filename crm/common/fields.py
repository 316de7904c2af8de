"""Field tables: one per record, one row per column, saying what each part of the house may do
with it. Each feature declares its table beside its model (crm/companies/fields.py ...); the
parts that handle a record's columns read it instead of keeping their own list:

* editable   — a form may set it, through the feature's service (services' FIELDS);
* importable — a file may set it (the importer's compared attributes);
* exportable — the partner-list exports write it (crm/exports);
* merge      — the duplicate merge keeps it: "pick" (the user picks A's or B's value), "join"
               (free text, both may be kept), "combine" (the merge computes it from both);
* searchable — the search index's document quotes it;
* system     — set by the code, never typed (ids, versions, derived keys, timestamps).

tests/test_field_tables.py fails when a model column is in no table, or in none of these
categories: a new column must be classified, and then the merge, the importer and the export
know it without a change of their own.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, Date, Integer, String
from wtforms import BooleanField, DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from crm.common.forms import strip

MERGE_WAYS = ("pick", "join", "combine")
CATEGORIES = ("editable", "importable", "exportable", "mergeable", "searchable", "system")


@dataclass(frozen=True)
class Field:
    name: str
    #: What the user sees (lazy-translated): the form, the merge page, the audit trail.
    label: Any = None
    editable: bool = False
    importable: bool = False
    exportable: bool = False
    merge: str | None = None
    searchable: bool = False
    system: bool = False

    def __post_init__(self) -> None:
        if self.merge is not None and self.merge not in MERGE_WAYS:
            raise ValueError(f"{self.name}: merge must be one of {MERGE_WAYS}")

    @property
    def mergeable(self) -> bool:
        return self.merge is not None

    def categories(self) -> tuple[str, ...]:
        return tuple(c for c in CATEGORIES if getattr(self, c))


class FieldTable:
    """The fields of one model, in the order forms and lists show them."""

    def __init__(self, model: type, *fields: Field) -> None:
        self.model = model
        self.fields = {f.name: f for f in fields}
        if len(self.fields) != len(fields):
            raise ValueError(f"{model.__name__}: a field is declared twice")

    def __iter__(self):
        return iter(self.fields.values())

    def __contains__(self, name: str) -> bool:
        return name in self.fields

    def __getitem__(self, name: str) -> Field:
        return self.fields[name]

    def names(self, category: str) -> tuple[str, ...]:
        """The columns in a category (editable, importable, exportable, mergeable ...)."""
        return tuple(f.name for f in self.fields.values() if getattr(f, category))

    def merged(self, way: str) -> tuple[str, ...]:
        """The columns the merge keeps in one way (pick, join, combine)."""
        return tuple(f.name for f in self.fields.values() if f.merge == way)

    def label(self, name: str) -> Any:
        return self.fields[name].label

    def labels(self) -> dict[str, Any]:
        return {f.name: f.label for f in self.fields.values() if f.label is not None}

    def unclassified(self) -> list[str]:
        """Model columns the table does not declare, or declares in no category."""
        columns = [c.key for c in self.model.__table__.columns]
        return [name for name in columns
                if name not in self.fields or not self.fields[name].categories()]

    def unknown(self) -> list[str]:
        """Declared fields that are not columns of the model."""
        columns = {c.key for c in self.model.__table__.columns}
        return [name for name in self.fields if name not in columns]


#: Every record's table, by table name (filled by the features' fields modules as they load).
TABLES: dict[str, FieldTable] = {}


def declare(model: type, *fields: Field) -> FieldTable:
    """A model's field table, kept in TABLES under its table name."""
    table = FieldTable(model, *fields)
    TABLES[model.__tablename__] = table
    return table


def add_form_fields(form: type, table: FieldTable, *, as_named: dict[str, str] | None = None,
                    ) -> type:
    """Give a form class a field for every editable column it does not declare itself, by the
    column's type (text, long text, date, yes/no, whole number), labelled from the table: a
    column added to the table is typed in the form without a change to the form class (the
    form template still places it). `as_named`: columns the form declares under another name
    (parent_id as parent)."""
    named = as_named or {}
    for name in table.names("editable"):
        if hasattr(form, named.get(name, name)):
            continue
        column_type = table.model.__table__.c[name].type
        label = table.label(name)
        if isinstance(column_type, Boolean):
            field = BooleanField(label)
        elif isinstance(column_type, Date):
            field = DateField(label, validators=[Optional()])
        elif isinstance(column_type, Integer):
            field = IntegerField(label, validators=[Optional()])
        elif isinstance(column_type, String) and column_type.length:
            field = StringField(label, validators=[Length(max=column_type.length)],
                                filters=[strip])
        else:
            field = TextAreaField(label, filters=[strip], render_kw={"rows": 3})
        setattr(form, name, field)
    return form
