"""When a user last looked at My work and last got the digest: bookkeeping, not a record."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from crm.extensions import db


class UserMark(db.Model):
    """One row per user: the moments "new since" is measured from (UTC, without a zone)."""

    __tablename__ = "user_marks"
    #: Written on every visit of the home page and every digest: kept out of the audit trail.
    __audited__ = False

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    #: The last time the user opened My work (the start of their current visit).
    seen_at: Mapped[datetime | None] = mapped_column()
    #: The last time a digest reached them.
    digest_sent_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<UserMark {self.user_id} seen {self.seen_at} digest {self.digest_sent_at}>"
