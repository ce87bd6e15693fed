"""Files that come with a report (issue 13): a screenshot, a letter. The file itself lives in
app.storage under a random key; this row holds what may be known about it. No original file
name is kept: a name such as 'scan-j.jansen.pdf' identifies people, so the name a person sees
is generated (Attachment.label, Attachment.download_name)."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext
from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.i18n import N_
from app.models.base import UTCDateTime, utcnow
from app.models.report import Report, Support
from app.models.user import User

STORAGE_KEY_MAX = 64
MEDIA_TYPE_MAX = 40

# What a person reads as the kind of file, by media type.
# The generated name a person sees (no original file name: it can name its uploader).
LABEL = N_("Bijlage %(number)s (%(kind)s, %(size)s)")

KIND_NAMES = {
    "application/pdf": "PDF",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "image/webp": "WebP",
}


class Attachment(db.Model):
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), index=True)
    # 1, 2, 3 … within its report: 'Bijlage 2'. Never reused while the report has its files.
    number: Mapped[int] = mapped_column(Integer)
    # The support ('ik loop hier ook tegenaan') it came with, if any.
    support_id: Mapped[int | None] = mapped_column(ForeignKey("support.id", ondelete="SET NULL"), index=True)
    # Who added it, like a report's reporter (app.anonymity): a named uploader's user id; for
    # the reporter of an anonymous report only their keyed pseudonym, never the id.
    uploader_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    uploader_pseudonym: Mapped[str | None] = mapped_column(String(64))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    storage_key: Mapped[str] = mapped_column(String(STORAGE_KEY_MAX), unique=True)
    preview_key: Mapped[str | None] = mapped_column(String(STORAGE_KEY_MAX), unique=True)
    media_type: Mapped[str] = mapped_column(String(MEDIA_TYPE_MAX))
    preview_media_type: Mapped[str | None] = mapped_column(String(MEDIA_TYPE_MAX))
    extension: Mapped[str] = mapped_column(String(8))
    kind: Mapped[str] = mapped_column(String(10))  # "image" | "pdf"
    size: Mapped[int] = mapped_column(Integer)  # bytes, as stored (after cleaning)
    width: Mapped[int | None] = mapped_column(Integer)
    height: Mapped[int | None] = mapped_column(Integer)
    pages: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship()
    support: Mapped[Support | None] = relationship()
    uploader: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.media_type, self.extension.upper())

    @property
    def label(self) -> str:
        """The generated name a person sees: 'Bijlage 2 (PDF, 1,2 MB)'."""
        return gettext(LABEL, **self.label_values())

    def label_values(self) -> dict:
        from app.formatting import file_size

        return {"number": self.number, "kind": self.kind_name, "size": file_size(self.size)}

    @property
    def download_name(self) -> str:
        """RK-2026-0012-bijlage-2.pdf: the report and the number, nothing of the uploader."""
        return f"{self.report.reference}-bijlage-{self.number}.{self.extension}"

    def __repr__(self) -> str:
        return f"<Attachment {self.report_id}/{self.number}>"
