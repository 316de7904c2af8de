"""A saved view: one user's name for a list's query string (its filters and sort)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db, utcnow

#: The lists a view can be saved on.
VIEW_KINDS = ("companies", "contacts", "tasks")
NAME_MAX = 80
#: The longest query string a view keeps (a list's filters fit in far less).
QUERY_MAX = 1000


class SavedView(db.Model):
    __tablename__ = "saved_views"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "name", name="uq_saved_views_user_kind_name"),
        CheckConstraint(f"kind IN {VIEW_KINDS!r}", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    query: Mapped[str] = mapped_column(String(QUERY_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<SavedView {self.id} {self.kind} {self.name!r}>"
