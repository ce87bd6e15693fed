"""Attachments (issue 13): the one home for who may add files to a report, the limits,
adding, removing and retention. Every file is cleaned by app.uploads before anything is
written; content and preview go to app.storage under random keys; the rows say only what
may be known (no original file name, no uploader of an anonymous report but its pseudonym).

Storage and database are kept in step around the caller's commit (the caller commits, as
everywhere in app/services): files stored for rows that are rolled back are deleted again,
and files of rows that are removed are deleted only once that removal is committed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import event
from sqlalchemy.orm import Session, joinedload

from app import storage as storage_module
from app import uploads
from app.anonymity import follows_anonymously, is_reporter, recorded_as
from app.extensions import db
from app.formatting import file_size
from app.i18n import StoredText
from app.models import Attachment, Report, Support, User
from app.models.attachment import LABEL
from app.models.report import EventKind
from app.services import DomainError
from app.services.workflow import WRITER_ROLES

FIELD = "attachments"

# The timeline's line for each file added: its generated name.
ATTACHED = StoredText(LABEL)

# How a person may add files on a report's page (it decides how the uploader is recorded); a
# supporter adds them only with their support (add_attachments' `support`).
AS_REPORTER = "reporter"
AS_STAFF = "staff"


@dataclass(frozen=True)
class Upload:
    """A file as it came in: its bytes, and the name the browser sent. The name is used only
    in a message to the uploader themselves (which of their files was refused); it is never
    stored."""

    data: bytes
    name: str = ""


class AttachmentRefused(DomainError):
    """A file (or a set of files) we will not keep; the message says which and why."""

    def __init__(self, message: str, reason: str):
        super().__init__(message, field=FIELD)
        self.reason = reason


# --- limits ---------------------------------------------------------------------------------


def max_bytes() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"]


def max_count() -> int:
    return current_app.config["ATTACHMENTS_MAX_PER_REPORT"]


def max_total() -> int:
    return current_app.config["ATTACHMENTS_MAX_TOTAL_BYTES"]


def request_limit() -> int:
    """The largest request a form with files may send: its text (MAX_CONTENT_LENGTH) and
    the files one report may take."""
    files = max_bytes() * (max_count() or 1)
    if max_total():
        files = min(files, max_total()) if max_count() else max_total()
    return current_app.config["MAX_CONTENT_LENGTH"] + files


def too_large_message() -> str:
    """What a request past request_limit is told (nothing of it was read or kept)."""
    return gettext(
        "De bestanden zijn samen te groot om te versturen. Een bestand mag maximaal %(size)s zijn. Er is niets opgeslagen: ga terug en kies kleinere bestanden.",
        size=file_size(max_bytes()),
    )


def limits_hint() -> str:
    """What the file field says about what it takes."""
    hint = gettext(
        "Een schermafdruk, foto (PNG, JPEG, WebP of HEIC) of PDF van maximaal %(size)s per bestand.",
        size=file_size(max_bytes()),
    )
    # Cleaning takes out what a file says about itself, never what it shows.
    hint += " " + gettext(
        "Wat er op een bestand te zien is, zoals een naam in een schermafdruk, blijft zichtbaar, ook als u anoniem meldt."
    )
    if max_count():
        hint += " " + ngettext(
            "Maximaal %(num)d bestand per melding.", "Maximaal %(num)d bestanden per melding.", max_count()
        )
    return hint


def _which(upload: Upload, position: int) -> str:
    name = (upload.name or "").strip()[:80]
    if name:
        return gettext("Bestand %(number)d (%(name)s)", number=position, name=name)
    return gettext("Bestand %(number)d", number=position)


def clean_files(uploads_in: Iterable[Upload]) -> list[uploads.CleanFile]:
    """Decide and clean every file (app.uploads.clean) before anything is written: CPU work,
    so a caller does it before taking a write lock. Empty file fields are skipped. Raises
    AttachmentRefused naming the first file that is refused, and why."""
    chosen = [upload for upload in uploads_in if upload.data]
    if max_count() and len(chosen) > max_count():
        raise AttachmentRefused(
            ngettext(
                "U kunt maximaal %(num)d bestand per melding toevoegen.",
                "U kunt maximaal %(num)d bestanden per melding toevoegen.",
                max_count(),
            ),
            "count",
        )
    from app.virusscan import scan_required_from_config, scanner_from_config

    scanner = scanner_from_config(current_app)
    required = scan_required_from_config(current_app)
    cleaned = []
    for position, upload in enumerate(chosen, start=1):
        try:
            cleaned.append(
                uploads.clean(
                    upload.data,
                    max_bytes=max_bytes(),
                    scanner=scanner,
                    scan_required=required,
                )
            )
        except uploads.FileRefused as refused:
            raise AttachmentRefused(
                gettext("%(which)s: %(why)s", which=_which(upload, position), why=refused.message), refused.reason
            ) from refused
    return cleaned


def storage():
    """The configured storage (app.storage), one per application."""
    found = current_app.extensions.get("rodeknop_storage")
    if found is None:
        found = current_app.extensions["rodeknop_storage"] = storage_module.storage_from_config(current_app)
    return found


# --- who may add ------------------------------------------------------------------------------


def adding_as(report: Report, user: User | None) -> str | None:
    """How `user` may add files to `report` on its page (AS_REPORTER, AS_STAFF), or None.
    A supporter adds files only together with their 'ik loop hier ook tegenaan'
    (support_report's caller passes `support`)."""
    if user is None or not user.is_authenticated:
        return None
    if is_reporter(user, report):
        return AS_REPORTER if report.is_open else None
    if follows_anonymously(user, report):
        # Every trace of an action would stand next to 'Anoniem' and name them.
        return None
    if user.has_role(*WRITER_ROLES):
        return AS_STAFF
    return None


def may_add(report: Report, user: User | None) -> bool:
    return adding_as(report, user) is not None


# --- adding -----------------------------------------------------------------------------------


def add_attachments(
    report: Report,
    user: User,
    files: list[uploads.CleanFile],
    *,
    support: Support | None = None,
    at=None,
) -> list[Attachment]:
    """Store `files` (already cleaned by clean_files) with `report`, added by `user`: its
    reporter (also of an anonymous report: then only the pseudonym is kept), a supporter
    with their `support`, or a coach. Records one 'Bijlage toegevoegd' line on the timeline.
    Stores the files first; if the caller's transaction does not commit, they are deleted
    again."""
    if not files:
        return []
    if support is not None:
        if support.report_id != report.id or support.user_id != user.id:
            raise DomainError(gettext("U kunt hier geen bestanden toevoegen."), field=FIELD)
        anonymous = False
    else:
        how = adding_as(report, user)
        if how is None:
            raise DomainError(gettext("U kunt hier geen bestanden toevoegen."), field=FIELD)
        anonymous = how == AS_REPORTER and report.is_anonymous
    _lock(report)
    count, total, highest = db.session.execute(
        db.select(
            db.func.count(Attachment.id),
            db.func.coalesce(db.func.sum(Attachment.size), 0),
            db.func.max(Attachment.number),
        ).where(Attachment.report_id == report.id)
    ).one()
    if max_count() and count + len(files) > max_count():
        left = max(0, max_count() - count)
        raise AttachmentRefused(
            ngettext(
                "Bij deze melding passen nog %(num)d bestand.",
                "Bij deze melding passen nog %(num)d bestanden.",
                left,
            )
            + " "
            + ngettext(
                "Een melding heeft maximaal %(num)d bijlage.",
                "Een melding heeft maximaal %(num)d bijlagen.",
                max_count(),
            ),
            "count",
        )
    added = sum(len(file.content) for file in files)
    if max_total() and total + added > max_total():
        raise AttachmentRefused(
            gettext(
                "Samen zijn de bestanden te groot: een melding heeft maximaal %(size)s aan bijlagen.",
                size=file_size(max_total()),
            ),
            "total",
        )
    from app.services.reports import record_event

    attachments = []
    number = highest or 0
    uploader_id, uploader_pseudonym = recorded_as(user, anonymous)
    for file in files:
        number += 1
        key = _put(file.content, file.media_type)
        preview_key = _put(file.preview, file.preview_media_type) if file.preview else None
        attachment = Attachment(
            report=report,
            number=number,
            support=support,
            uploader_id=uploader_id,
            uploader_pseudonym=uploader_pseudonym,
            anonymous=anonymous,
            storage_key=key,
            preview_key=preview_key,
            media_type=file.media_type,
            preview_media_type=file.preview_media_type if file.preview else None,
            extension=file.extension,
            kind=file.kind,
            size=len(file.content),
            width=file.width,
            height=file.height,
            pages=file.pages,
        )
        if at is not None:
            attachment.created_at = at
        db.session.add(attachment)
        attachments.append(attachment)
    for attachment in attachments:
        # A line per file, its generated name stored in Dutch and shown in the reader's
        # language (app.i18n.StoredText).
        with force_locale("nl"):
            text = ATTACHED.store(**attachment.label_values())
        record_event(
            report,
            EventKind.ATTACHED,
            # An anonymous reporter's line has no actor, like their submission (app.anonymity).
            actor=None if anonymous else user,
            text=text,
            at=at,
        )
    return attachments


def _lock(report: Report) -> None:
    """Numbers are taken one writer at a time per report (SQLite serialises writers anyway)."""
    db.session.execute(db.select(Report.id).where(Report.id == report.id).with_for_update())


def _put(data: bytes, media_type: str) -> str:
    key = storage_module.new_key()
    storage().put(key, data, media_type)
    _pending(db.session)["stored"].append(key)
    return key


# --- reading ----------------------------------------------------------------------------------


def attachments_of(report: Report) -> list[Attachment]:
    """A report's files in the order they were added (one query)."""
    return list(
        db.session.scalars(
            db.select(Attachment)
            .where(Attachment.report_id == report.id)
            .options(joinedload(Attachment.uploader))  # named on the page: one statement for all
            .order_by(Attachment.number)
        )
    )


def get_attachment(report: Report, number: int) -> Attachment | None:
    return db.session.scalar(
        db.select(Attachment).where(Attachment.report_id == report.id, Attachment.number == number)
    )


def read(attachment: Attachment, *, preview: bool = False) -> bytes | None:
    """The stored file (or its preview); None when storage no longer has it."""
    key = attachment.preview_key if preview else attachment.storage_key
    if key is None:
        return None
    try:
        return storage().get(key)
    except KeyError:
        return None


# --- removing and retention -------------------------------------------------------------------


def remove_attachments(attachments: Iterable[Attachment]) -> int:
    """Delete the rows now and their files once the caller's transaction commits."""
    removed = 0
    for attachment in attachments:
        keys = [attachment.storage_key] + ([attachment.preview_key] if attachment.preview_key else [])
        _pending(db.session)["discarded"].extend(keys)
        db.session.delete(attachment)
        removed += 1
    return removed


def uploaded_by_reporter(report: Report):
    """SQL: the files of `report` its reporter added (named, or anonymously: only the
    reporter of an anonymous report adds anonymously)."""
    condition = Attachment.anonymous
    if report.reporter_id is not None:
        condition = condition | (Attachment.uploader_id == report.reporter_id)
    return db.and_(Attachment.report_id == report.id, condition)


def forget_reporter_files(report: Report) -> int:
    """Retention: when the link between a report and who made it goes, the files they added
    go with it. A screenshot or a letter can identify its uploader as surely as a name."""
    return remove_attachments(db.session.scalars(db.select(Attachment).where(uploaded_by_reporter(report))))


# --- keeping storage and database in step -----------------------------------------------------


def _pending(session) -> dict[str, list[str]]:
    return session.info.setdefault("rodeknop_attachments", {"stored": [], "discarded": []})


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction decides
    pending = session.info.pop("rodeknop_attachments", None)
    if pending and pending["discarded"]:
        _delete_quietly(pending["discarded"])


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session, transaction) -> None:
    """The outer transaction ended without a commit (rolled back, or closed at the end of a
    request): files stored for it have no rows, so they go."""
    if transaction.nested or transaction.parent is not None:
        return
    pending = session.info.pop("rodeknop_attachments", None)
    if pending and pending["stored"]:
        _delete_quietly(pending["stored"])


def _delete_quietly(keys: list[str]) -> None:
    try:
        store = storage()
    except RuntimeError:  # no application: nothing we can reach
        return
    for key in keys:
        try:
            store.delete(key)
        except Exception:
            current_app.logger.warning("Could not delete a stored attachment file", exc_info=True)
