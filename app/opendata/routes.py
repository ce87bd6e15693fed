"""The open data: a page that says what is in it, and the files (CSV and JSON), streamed."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, current_app, render_template, stream_with_context
from flask_limiter.util import get_remote_address
from flask_login import current_user

from app.clock import today
from app.extensions import db, limiter
from app.formatting import count
from app.opendata.data import DATA_SETS, KINDS, TYPE_LABELS, DataSet, stream_csv, stream_json
from app.permissions import open_data_required
from app.services.audit import record_audit
from app.transactions import done_writing, start_writing

bp = Blueprint("opendata", __name__)


@bp.route("/")
@open_data_required
def index():
    return render_template("opendata/index.html", data_sets=DATA_SETS.values(), type_labels=TYPE_LABELS)


def _limit() -> str:
    return current_app.config["OPEN_DATA_LIMIT_PER_CLIENT"]


def _client_key() -> str:
    return "open-data-client:" + hashlib.sha256((get_remote_address() or "").encode()).hexdigest()


# Each file reads every ended report (seconds at 100,000): a client downloads a few an hour,
# all four files together, so that a public switch (OPEN_DATA_PUBLIC) does not let anyone keep
# the workers busy.
per_client = limiter.shared_limit(
    _limit, scope="open-data", key_func=_client_key, deduct_when=lambda response: response.status_code == 200
)


def _download(data_set: DataSet, kind: str) -> Response:
    """The file as an attachment, recorded in the audit trail like every export (app.export)."""
    actor = current_user if current_user.is_authenticated else None
    lines = count(data_set.count(), "regel", "regels")
    # A GET that writes one line after reading: its write transaction of its own (SQLite).
    start_writing()
    record_audit(
        "list_exported",
        actor=actor,
        detail=f"{data_set.title}: {lines} ({kind})" + ("" if actor else " – openbaar, zonder inloggen"),
    )
    db.session.commit()
    done_writing()  # the file is read while it is sent: that must not hold the write lock
    day = today()
    chunks = stream_csv(data_set) if kind == "csv" else stream_json(data_set, generated_on=day)
    return Response(
        stream_with_context(chunks),
        content_type=KINDS[kind],
        headers={"Content-Disposition": f'attachment; filename="rode-knop-{data_set.name}-{day.isoformat()}.{kind}"'},
    )


@bp.route("/meldingen.csv")
@per_client
@open_data_required
def reports_csv():
    return _download(DATA_SETS["meldingen"], "csv")


@bp.route("/meldingen.json")
@per_client
@open_data_required
def reports_json():
    return _download(DATA_SETS["meldingen"], "json")


@bp.route("/dossiers.csv")
@per_client
@open_data_required
def dossiers_csv():
    return _download(DATA_SETS["dossiers"], "csv")


@bp.route("/dossiers.json")
@per_client
@open_data_required
def dossiers_json():
    return _download(DATA_SETS["dossiers"], "json")
