"""Import batches (a file kept between its preview and its commit) and saved column mappings."""
from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.extensions import db, utcnow

if TYPE_CHECKING:
    from crm.auth.models import User

IMPORT_KINDS = ("companies", "contacts", "alumni", "donations", "researchers", "seeds", "events",
                "encounters", "researchmap")
#: update: the file's values overwrite; merge: fill only empty fields (differences are listed
#: as conflicts and kept as they are); skip: records already there are left alone.
POLICIES = ("update", "merge", "skip")
BATCH_STATUSES = ("pending", "committed", "discarded")


def _json_load(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


class ImportBatch(db.Model):
    """An uploaded file, kept from its preview until it is committed or discarded."""

    __tablename__ = "import_batches"
    # The records an import writes are audited one by one; the file itself is not a record.
    __audited__ = False
    __table_args__ = (
        CheckConstraint(f"kind IN {IMPORT_KINDS!r}", name="kind_known"),
        CheckConstraint(f"policy IN {POLICIES!r}", name="policy_known"),
        CheckConstraint(f"status IN {BATCH_STATUSES!r}", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(300))
    #: The format detected (or asked for): csv, xlsx, vcard, eight, google, outlook.
    format: Mapped[str | None] = mapped_column(String(20))
    encoding: Mapped[str | None] = mapped_column(String(30))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: The column mapping chosen, as JSON {file header: field name, "" = ignore}; None = automatic.
    mapping: Mapped[str | None] = mapped_column(Text)
    policy: Mapped[str] = mapped_column(String(10), default="update")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None] = mapped_column()
    #: The dry run as last computed (counts, a capped list of rejected and changed rows) while
    #: pending; the summary of what was written once committed. JSON.
    preview: Mapped[str | None] = mapped_column(Text)
    summary: Mapped[str | None] = mapped_column(Text)

    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ImportBatch {self.id} {self.kind} {self.filename} {self.status}>"

    @property
    def label(self) -> str:
        return self.filename

    @property
    def mapping_dict(self) -> dict[str, str] | None:
        value = _json_load(self.mapping, None)
        return value if isinstance(value, dict) else None

    @property
    def preview_dict(self) -> dict[str, Any]:
        return _json_load(self.preview, {})

    @property
    def summary_dict(self) -> dict[str, Any]:
        return _json_load(self.summary, {})


class SavedMapping(db.Model):
    """A column mapping kept under a name, to reuse for the next file of the same layout."""

    __tablename__ = "import_mappings"
    __table_args__ = (
        CheckConstraint(f"kind IN {IMPORT_KINDS!r}", name="kind_known"),
        UniqueConstraint("kind", "name", name="uq_import_mappings_kind_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    format: Mapped[str | None] = mapped_column(String(20))
    #: JSON {file header: field name, "" = ignore}.
    mapping: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SavedMapping {self.kind}:{self.name}>"

    @property
    def label(self) -> str:
        return self.name

    @property
    def mapping_dict(self) -> dict[str, str]:
        value = _json_load(self.mapping, {})
        return value if isinstance(value, dict) else {}
