"""The API's documentation page: the live OpenAPI document shown by Swagger UI, vendored
under app/static/vendor/swagger-ui (no CDN), started by a script file of our own (the CSP
allows no inline script). Without JavaScript the page still explains the API and links
to the document, in the reader's language (`?taal=`, app.api)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from app.i18n import current_language
from app.models.api_token import SCOPES

bp = Blueprint("api_docs", __name__)


@bp.route("/docs")
def page():
    return render_template(
        "api/docs.html", spec_url=url_for("api-docs.openapi_json", taal=current_language()), scopes=SCOPES
    )
