"""Errors under /api/v1 as `application/problem+json` (RFC 9457), with a Dutch title and
detail, never an HTML page: the app's error handlers (app/__init__.py) ask `is_api_request`
and answer with `problem` there."""

from __future__ import annotations

import json

from flask import Response, request
from werkzeug.exceptions import HTTPException

API_PREFIX = "/api/"
PROBLEM = "application/problem+json"

# Status -> (title, detail) when nothing more specific is known.
TITLES = {
    400: ("Ongeldig verzoek", "Het verzoek kon niet worden gelezen."),
    401: ("Niet aangemeld", "Stuur een geldige API-sleutel mee: Authorization: Bearer <sleutel>."),
    403: ("Geen toegang", "Deze API-sleutel of uw rol geeft geen toegang tot dit deel van de API."),
    404: ("Niet gevonden", "Dit bestaat niet, of u mag het niet zien."),
    405: ("Niet toegestaan", "Deze methode kan hier niet."),
    406: ("Niet leverbaar", "De API antwoordt alleen in JSON."),
    409: ("Conflict", "Iemand anders heeft dit intussen gewijzigd."),
    412: ("Voorwaarde niet vervuld", "Het verzoek voldoet niet aan de meegestuurde voorwaarde."),
    413: ("Te groot", "Wat u verstuurde is te groot om te verwerken."),
    415: ("Verkeerd formaat", "Stuur de gegevens als JSON, met Content-Type: application/json."),
    422: ("Niet goed ingevuld", "Een of meer velden zijn niet goed ingevuld."),
    429: ("Te veel verzoeken", "Deze API-sleutel deed te veel verzoeken. Wacht even en probeer het opnieuw."),
    500: ("Er ging iets mis", "Er ging aan onze kant iets mis. Er is niets opgeslagen. Probeer het later opnieuw."),
}

# marshmallow's and webargs' messages, in Dutch (anything else: INVALID).
MESSAGES = {
    "Missing data for required field.": "Dit veld is verplicht.",
    "Field may not be null.": "Dit veld mag niet leeg (null) zijn.",
    "Unknown field.": "Dit veld kent de API niet.",
    "Not a valid integer.": "Geef een geheel getal.",
    "Not a valid string.": "Geef tekst.",
    "Not a valid boolean.": "Geef true of false.",
    "Invalid input type.": "Dit type waarde past hier niet.",
    "Invalid JSON body.": "De JSON kon niet worden gelezen.",
    "Not a valid datetime.": "Geef een datum en tijd (ISO 8601).",
    "Not a valid date.": "Geef een datum (JJJJ-MM-DD).",
    "Not a valid list.": "Geef een lijst.",
    "Not a valid mapping type.": "Geef een object.",
}
INVALID = "Deze waarde is ongeldig."


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str | None = None, detail: str | None = None, headers=None, **extra) -> Response:
    default_title, default_detail = TITLES.get(status, ("Fout", "Het verzoek kon niet worden verwerkt."))
    body = {
        "type": "about:blank",
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
    }
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=PROBLEM)
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _dutch(messages) -> object:
    if isinstance(messages, dict):
        return {str(key): _dutch(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_dutch(message) for message in messages]
    text = str(messages)
    if text in MESSAGES:
        return MESSAGES[text]
    if text.startswith(
        ("Must be one of", "Must be greater", "Must be less", "Length must", "Shorter than", "Longer than")
    ):
        return INVALID if not text.startswith(("Length", "Shorter", "Longer")) else "De lengte past niet."
    return INVALID


def _field_errors(error: HTTPException) -> dict | None:
    """webargs' messages by location ({"json": {"rule": [...]}}), as {field: [Dutch]}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    fields: dict = {}
    for location in messages.values():
        if isinstance(location, dict):
            fields.update(_dutch(location))
        else:
            fields["_"] = _dutch(location)
    return fields


def problem_for_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = [(name, value) for name, value in error.get_headers() if name.lower() == "allow"]
    extra = {}
    fields = _field_errors(error)
    if fields is not None:
        if fields.get("_") == [MESSAGES["Invalid JSON body."]] or fields.get("json") == [
            MESSAGES["Invalid JSON body."]
        ]:
            return problem(400, "Ongeldige JSON", "De JSON in het verzoek kon niet worden gelezen.")
        extra["errors"] = fields
    if status == 429:
        retry = getattr(error, "retry_after", None)
        if retry:
            headers.append(("Retry-After", str(retry)))
    return problem(status, headers=headers, **extra)
