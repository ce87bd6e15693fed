"""Errors under /api/v1 as `application/problem+json` (RFC 9457), never an HTML page: the
app's error handlers (app/__init__.py) ask `is_api_request` and answer with `problem` there.
The `title`, `detail` and field messages are for people: in the language of the token's
user (app.i18n), else the municipality's. What machines read stays as it is: `type`,
`status`, the field names under `errors` and any extra members."""

from __future__ import annotations

import json

from flask import Response, request
from flask_babel import gettext
from werkzeug.exceptions import HTTPException

from app.i18n import N_

API_PREFIX = "/api/"
PROBLEM = "application/problem+json"

# Status -> (title, detail) when nothing more specific is known (msgids, translated in `problem`).
TITLES = {
    400: (N_("Ongeldig verzoek"), N_("Het verzoek kon niet worden gelezen.")),
    401: (N_("Niet aangemeld"), N_("Stuur een geldige API-sleutel mee: Authorization: Bearer <sleutel>.")),
    403: (N_("Geen toegang"), N_("Deze API-sleutel of uw rol geeft geen toegang tot dit deel van de API.")),
    404: (N_("Niet gevonden"), N_("Dit bestaat niet, of u mag het niet zien.")),
    405: (N_("Niet toegestaan"), N_("Deze methode kan hier niet.")),
    406: (N_("Niet leverbaar"), N_("De API antwoordt alleen in JSON.")),
    409: (N_("Conflict"), N_("Iemand anders heeft dit intussen gewijzigd.")),
    412: (N_("Voorwaarde niet vervuld"), N_("Het verzoek voldoet niet aan de meegestuurde voorwaarde.")),
    413: (N_("Te groot"), N_("Wat u verstuurde is te groot om te verwerken.")),
    415: (N_("Verkeerd formaat"), N_("Stuur de gegevens als JSON, met Content-Type: application/json.")),
    422: (N_("Niet goed ingevuld"), N_("Een of meer velden zijn niet goed ingevuld.")),
    429: (N_("Te veel verzoeken"), N_("Deze API-sleutel deed te veel verzoeken. Wacht even en probeer het opnieuw.")),
    500: (
        N_("Er ging iets mis"),
        N_("Er ging aan onze kant iets mis. Er is niets opgeslagen. Probeer het later opnieuw."),
    ),
}

# marshmallow's and webargs' messages, in Dutch (msgids; anything else: INVALID).
MESSAGES = {
    "Missing data for required field.": N_("Dit veld is verplicht."),
    "Field may not be null.": N_("Dit veld mag niet leeg (null) zijn."),
    "Unknown field.": N_("Dit veld kent de API niet."),
    "Not a valid integer.": N_("Geef een geheel getal."),
    "Not a valid string.": N_("Geef tekst."),
    "Not a valid boolean.": N_("Geef true of false."),
    "Invalid input type.": N_("Dit type waarde past hier niet."),
    "Invalid JSON body.": N_("De JSON kon niet worden gelezen."),
    "Not a valid datetime.": N_("Geef een datum en tijd (ISO 8601)."),
    "Not a valid date.": N_("Geef een datum (JJJJ-MM-DD)."),
    "Not a valid list.": N_("Geef een lijst."),
    "Not a valid mapping type.": N_("Geef een object."),
}
INVALID = N_("Deze waarde is ongeldig.")
WRONG_LENGTH = N_("De lengte past niet.")


def is_api_request() -> bool:
    return request.path.startswith(API_PREFIX)


def problem(status: int, title: str | None = None, detail: str | None = None, headers=None, **extra) -> Response:
    """`title` and `detail` come translated; without them, the status's own (TITLES)."""
    default_title, default_detail = TITLES.get(status, (N_("Fout"), N_("Het verzoek kon niet worden verwerkt.")))
    body = {
        "type": "about:blank",
        "title": title or gettext(default_title),
        "status": status,
        "detail": detail or gettext(default_detail),
    }
    body.update(extra)
    response = Response(json.dumps(body, ensure_ascii=False, default=str), status=status, mimetype=PROBLEM)
    for name, value in headers or ():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _message(text: str) -> str:
    """One of marshmallow's or webargs' messages as the msgid of ours."""
    if text in MESSAGES:
        return MESSAGES[text]
    if text.startswith(("Length must", "Shorter than", "Longer than")):
        return WRONG_LENGTH
    return INVALID


def _translated(messages) -> object:
    """The messages by field, each in the reader's language (the field names as they are)."""
    if isinstance(messages, dict):
        return {str(key): _translated(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_translated(message) for message in messages]
    return gettext(_message(str(messages)))


def _field_errors(error: HTTPException) -> dict | None:
    """webargs' messages by location ({"json": {"rule": [...]}}), as {field: [translated]}."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages")
    if not isinstance(messages, dict):
        return None
    fields: dict = {}
    for location in messages.values():
        if isinstance(location, dict):
            fields.update(_translated(location))
        else:
            fields["_"] = _translated(location)
    return fields


def problem_for_http_exception(error: HTTPException) -> Response:
    status = error.code or 500
    headers = [(name, value) for name, value in error.get_headers() if name.lower() == "allow"]
    extra = {}
    fields = _field_errors(error)
    if fields is not None:
        unreadable = [gettext(MESSAGES["Invalid JSON body."])]
        if fields.get("_") == unreadable or fields.get("json") == unreadable:
            return problem(400, gettext("Ongeldige JSON"), gettext("De JSON in het verzoek kon niet worden gelezen."))
        extra["errors"] = fields
    if status == 429:
        retry = getattr(error, "retry_after", None)
        if retry:
            headers.append(("Retry-After", str(retry)))
    return problem(status, headers=headers, **extra)
