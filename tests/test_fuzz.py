"""Hostile input through every form field, query parameter and path parameter, from every
role, on the database the suite runs on (QUALITY.md: every promise is attacked): never a
500, and never a row the database should not hold.

For each role one logged-in client walks app.url_map:

* every GET page, with each query parameter the app reads (the fields of the page's
  <form method="get"> and KNOWN_PARAMS) set to each hostile value in turn;
* every path parameter (references and ids) set to each hostile value;
* every POST route, through the forms on the pages that post to it: valid values from
  the page (the CSRF token, the version, the first choice, "Geldige tekst"), with one field
  at a time replaced by each hostile value, so that a value the form accepts reaches the
  service and the database. Ending the weekly session and logging out come last.

A form that is gone once a value was accepted (a report decided, an agenda item handled)
is found again in a fresh world. Each world's database is checked before it goes: no
string with a control character or invalid UTF-8, or longer than its column; and the
acceptable values (emoji, markup, a formula) must have been saved somewhere. Routes and
forms are discovered, not listed, so the walk keeps up with the app."""

from __future__ import annotations

import ast
import itertools
import re
import time
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, quote_from_bytes, quote_plus, urlsplit

import pytest
from sqlalchemy import String, text
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import RequestRedirect

from app.extensions import db
from tests.conftest import FUZZ_SUMMARY, Auth, _empty_tables
from tests.factories import (
    PASSWORD,
    checkback_link_params,
    enable_second_factor,
    first_addressee_id,
    make_attachment,
    make_department,
    make_dossier,
    make_report,
    make_user,
    password_link_params,
    webhook_params,
)
from tests.route_table import LAST, ROLE_GRANTS, ROLES

APP_DIR = Path(__file__).resolve().parent.parent / "app"

MEGABYTE = "x" * (1024 * 1024)
INVALID_UTF8 = b"\xff\xfe\xed\xa0\x80"
EMOJI = "🤷🏽‍♀️"
SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
HOSTILE: dict[str, str | bytes] = {
    "nul": "\x00",
    "nul-in-text": "Geldige\x00tekst",
    "control": "\x01\x07\x1b\x7f",
    "megabyte": MEGABYTE,
    "int32+1": "2147483648",
    "int64+1": "9223372036854775808",
    "minus-one": "-1",
    "float-overflow": "1e309",
    # Digits to str.isdigit(), not to int(): '²'.isdigit() is True, int('²') raises.
    "unicode-digits": "²٣",
    "invalid-utf8": INVALID_UTF8,
    "emoji": EMOJI,
    "rtl-override": "\u202egnp.exe",
    "script": SCRIPT,
    "attribute": '"><img src=x onerror=alert(1)>',
    "formula": FORMULA,
    "plus": "+1",
    "at": "@SUM(1)",
    "sql": '" OR 1=1 --',
    "fts": "a* NEAR b",
    "like": "%_",
}
# Hostile but acceptable: text a person may really type. Each role must get them saved.
MUST_BE_SAVED = (EMOJI, SCRIPT, FORMULA)
# References that look right but point nowhere a report can be.
EXTRA_PATH_VALUES = {
    "ref-int32+1": "RK-2026-2147483648",
    "ref-huge": "RK-2026-99999999999999999999",
    "ref-year": "RK-99999-0001",
}

# Query parameters the app reads that no <form method="get"> on the page shows.
# test_every_query_parameter_the_app_reads_is_fuzzed keeps this list complete.
REPORT_LIST_PARAMS = ("zoek", "afdeling", "status", "pagina")
DOSSIER_PARAMS = ("status", "geadresseerde", "eigenaar", "aandacht", "sorteer", "richting")
BOARD_PARAMS = (
    "afdeling",
    "coach",
    "mijn",
    "stil",
    "zoek",
    "nieuw-pagina",
    "in-behandeling-pagina",
    "geescaleerd-pagina",
    "afgerond-pagina",
)
KNOWN_PARAMS: dict[str, tuple[str, ...]] = {
    "auth.login": ("next", "noodtoegang"),
    "sso.start": ("next",),
    "sso.callback": ("code", "state", "error", "iss"),
    "reports.similar": ("rule", "problem"),
    "reports.mine": ("pagina",),
    "reports.index": REPORT_LIST_PARAMS,
    "reports.export_csv": REPORT_LIST_PARAMS,
    "reports.export_xlsx": REPORT_LIST_PARAMS,
    "reports.detail": ("besluit", "doel", "zoek"),
    "checkback.answer": ("antwoord",),
    "board.index": (*BOARD_PARAMS, "kaart"),
    "board.move": BOARD_PARAMS,
    "dossiers.index": DOSSIER_PARAMS,
    "dossiers.export_csv": DOSSIER_PARAMS,
    "dossiers.export_xlsx": DOSSIER_PARAMS,
    "results.index": ("pagina",),
    "insight.index": ("van", "tot", "afdeling"),
    "insight.download": ("figuur", "van", "tot", "afdeling"),
    "triage.session": ("punt", "doel", "zoek"),
    "admin.audit": ("actie", "pagina"),
    "admin.edit_webhook": ("pagina",),
    "main.embed": ("afdeling",),
    "reports.new": ("afdeling",),
    # The JSON API's lists (a login cookie gets 401 there; Schemathesis fuzzes them with tokens).
    "api.my_reports": ("cursor", "limit"),
    "api.dossiers": ("cursor", "limit"),
    "api.board_column": (*BOARD_PARAMS[:5], "cursor", "limit"),
    # The OpenAPI document's language (public: no token needed).
    "api-docs.openapi_json": ("taal",),
}

# Valid values for fields whose format the app checks, by field name (without prefix).
DEFAULT_TEXT = "Geldige tekst"
DEFAULT_DATE = "2026-03-02"

# Never a control character, a lone surrogate or a noncharacter in a stored string (text
# keeps its line breaks and tabs).
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
FORBIDDEN_STORED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + NONCHARACTERS + "]")
ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


# --- reading forms from a page -----------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, radio, checkbox, hidden, password, email, date, search, ...
    value: str = ""
    checked: bool = False
    inputmode: str = ""
    options: list[tuple[str, bool]] = field(default_factory=list)  # select: (value, selected)


@dataclass
class Form:
    method: str
    action: str
    fields: list[Field] = field(default_factory=list)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # named submit buttons

    def names(self) -> list[str]:
        return list(dict.fromkeys(f.name for f in self.fields))


class FormParser(HTMLParser):
    """The forms of a page, as a browser would submit them."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._option: list | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = a.get("action") or self.page_url
            self._form = Form(a.get("method", "get").lower(), action)
            self.forms.append(self._form)
            return
        if self._form is None or "disabled" in a:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                self._form.buttons.append((name, a.get("value", "")))
            else:
                self._form.fields.append(Field(name, kind, a.get("value", ""), "checked" in a, a.get("inputmode", "")))
        elif tag == "button" and name and a.get("type", "submit") == "submit":
            self._form.buttons.append((name, a.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = Field(name, "textarea")
            self._form.fields.append(self._textarea)
        elif tag == "select" and name:
            self._select = Field(name, "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data
        elif self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:
                # A browser drops the line break right after <textarea> (WTForms writes CR LF).
                self._textarea.value = re.sub(r"^\r?\n", "", self._textarea.value)
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, label = self._option
            self._select.options.append((label.strip() if value is None else value, selected))
            self._option = None
        elif tag == "select":
            self._select = None


def parse_forms(html: str, page_url: str) -> list[Form]:
    parser = FormParser(page_url)
    parser.feed(html)
    return parser.forms


# --- building requests ---------------------------------------------------------------------


class EncodedBytes(bytes):
    """Bytes that go into a form body percent-encoded (raw bytes make the whole body
    unreadable, so the other fields would never be read)."""


def _quote_value(value: str | bytes) -> str:
    return quote_from_bytes(value) if isinstance(value, bytes) else quote_plus(value)


def form_body(pairs: list[tuple[str, str | bytes]]) -> bytes:
    """application/x-www-form-urlencoded; a bytes value goes in raw, as a broken client
    would send it (invalid UTF-8 included)."""
    parts = []
    for name, value in pairs:
        if isinstance(value, EncodedBytes):
            encoded = quote_from_bytes(value).encode("ascii")
        elif isinstance(value, bytes):
            encoded = value
        else:
            encoded = quote_plus(value).encode("ascii")
        parts.append(quote_plus(name).encode("ascii") + b"=" + encoded)
    return b"&".join(parts)


def query_url(path: str, params: dict[str, str | bytes]) -> str:
    return path + "?" + "&".join(f"{quote_plus(k)}={_quote_value(v)}" for k, v in params.items())


@dataclass
class Run:
    """What one role's walk sent and got back."""

    role: str
    requests: int = 0
    worlds: int = 1
    server_errors: list[str] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)  # "endpoint field" that got past validation
    corrupted: list[str] = field(default_factory=list)
    saved: set[str] = field(default_factory=set)  # MUST_BE_SAVED values found in the database

    def record(self, what: str, send):
        self.requests += 1
        try:
            response = send()
        except Exception as error:  # TESTING propagates what would be a 500
            self.server_errors.append(f"{what}: raised {error!r}"[:400])
            return None
        if response.status_code >= 500:
            self.server_errors.append(f"{what}: answered {response.status_code}"[:400])
        response.get_data()
        response.close()
        return response


# --- the world -----------------------------------------------------------------------------


def _api_token(user) -> int:
    from app.services.tokens import create_token

    token, _secret = create_token(user, name="Script", scopes=["read"], days=30, actor=user)
    db.session.commit()
    return token.id


def _world(app, role: str) -> dict:
    """As tests/route_table.py describes it, with more to act on: open reports (one to merge
    into), an ended one to reopen, an escalated one with its dossier (ready to be sent), and
    a weekly session, started by another coach, with the open reports on its agenda."""
    from app.services.triage import handle_item, start_session
    from app.services.workflow import assign_report, decide_report

    with app.app_context():
        department = make_department("Vergunningen")
        owner = make_user("Eigenaar Melding", email="owner@example.test", department=department)
        other = make_user("Andere Medewerker", email="other@example.test")
        coach = make_user("Voorzitter Coach", email="chair@example.test", roles=("employee", "coach"))
        report = make_report(
            owner,
            rule="Dakkapel vraagt volledige vergunningprocedure",
            problem="Acht weken wachten.",
            department_id=department.id,
        )
        attachment = make_attachment(report, owner)
        target = make_report(owner, rule="Dakkapel aan de achterkant", problem="Ook vergunning nodig.")
        for n in range(3):  # more items on the agenda: deciding one leaves the next
            make_report(owner, rule=f"Regel {n} die in de weg zit", problem="Het gaat mis.")
        ended = make_report(owner, rule="Uittreksel alleen aan de balie", problem="Inwoners nemen vrij.")
        decide_report(ended, actor=coach, outcome="explained", explanation="De wet vraagt het.")
        escalated = make_report(owner, rule="Kostendelersnorm bij tijdelijke opvang", problem="Bijstand omlaag.")
        dossier = make_dossier(escalated, coach=coach)
        dossier.addressee_id, dossier.sent_on = first_addressee_id(), date(2026, 3, 2)  # ready to be sent
        # An account holding open work: its page asks who takes that over (app.services.handover).
        busy = make_user("Bezette Coach", email="busy@example.test", roles=("employee", "coach", "legal"))
        assign_report(
            make_report(owner, rule="Regel waar iemand achteraan gaat", problem="Het gaat mis."), busy, actor=busy
        )
        dossier.owner = busy
        enable_second_factor(busy)  # so the beheerder's page offers to wipe it
        if role != "anon":
            # With an API key of their own, so Mijn instellingen offers to revoke one.
            _api_token(make_user(f"Rol {role}", email=f"{role}@example.test", roles=ROLE_GRANTS[role]))
        db.session.commit()
        session = start_session(coach, [coach.id])
        db.session.commit()
        # One decision taken, so the session page offers to undo it.
        handle_item(session.items[-1], coach, "take_on")
        hooks = webhook_params(report, other)
        db.session.commit()
        return {
            **hooks,
            "reference": report.reference,
            "number": attachment.number,
            "target": target.reference,
            "user_id": busy.id,
            "department_id": department.id,
            "dossier_id": dossier.id,
            "addressee_id": first_addressee_id(),
            "filename": "css/app.css",
            "column": "nieuw",
            "token_id": _api_token(other),
            "session_id": session.id,
            "item_id": session.items[0].id,
            # A valid link to choose a new password (used up once a value is accepted).
            **password_link_params(other),
            # A 'Merkbaar beter?' link of a solved report (used up once an answer is accepted).
            **checkback_link_params(owner, coach),
        }


# --- the walk --------------------------------------------------------------------------------


class Walker:
    """One role's client walking the app. A form that is gone after a value was accepted
    (the report was decided, the agenda item handled) comes back in a fresh world."""

    def __init__(self, app, role: str):
        self.app = app
        self.role = role
        self.run = Run(role)
        self.adapter = app.url_map.bind("localhost")
        self.counter = itertools.count(1)
        # endpoint -> the page its form was found on: a route (its URL in any world) or a URL
        self.form_pages: dict[str, object] = {}
        self.linked: list[str] | None = None  # object pages the first world's pages link to
        self._enter_world()

    def _enter_world(self) -> None:
        self.world = _world(self.app, self.role)
        self.client = self.app.test_client()
        if self.role != "anon":
            login = Auth(self.client).login(f"{self.role}@example.test")
            assert login.status_code == 302, f"{self.role} could not log in"
        self.password = PASSWORD
        self.pages: dict[str, tuple[int, str | None]] = {}  # url -> (status, html)
        self.forms: dict[str, list[Form]] = {}  # url -> the forms on that page
        self._routes: dict[str, object] | None = None

    def fresh_world(self) -> None:
        self.check_database()
        _empty_tables(self.app, quick=True)
        self.run.worlds += 1
        self._enter_world()

    def check_database(self) -> None:
        with self.app.app_context():
            self.run.corrupted += corrupted_rows()
            self.run.saved |= {
                value for value in MUST_BE_SAVED if value not in self.run.saved and saved_anywhere(value)
            }

    # pages and forms

    def url(self, rule, **override) -> str:
        """The rule's URL in this world; `override` puts a hostile value in one argument."""

        def value(match) -> str:
            name = match.group(1)
            if name in override:
                raw = override[name]
                return quote_from_bytes(raw, safe="") if isinstance(raw, bytes) else quote(raw, safe="")
            if name not in self.world:
                raise AssertionError(f"no value in the fuzz world for <{name}> of {rule.rule}: add it to _world")
            return quote(str(self.world[name]), safe="/")

        return ARGUMENT.sub(value, rule.rule)

    def page(self, url: str) -> tuple[int, str | None]:
        if url not in self.pages:
            response = self.run.record(f"GET {url}", lambda: self.client.get(url))
            if response is None:
                self.pages[url] = (500, None)
            else:
                html = response.get_data(as_text=True) if response.mimetype == "text/html" else None
                self.pages[url] = (response.status_code, html if response.status_code == 200 else None)
        return self.pages[url]

    def forms_on(self, url: str) -> list[Form]:
        if url not in self.forms:
            self.forms[url] = parse_forms(self.page(url)[1] or "", url)
        return self.forms[url]

    def forget_pages(self) -> None:
        """After a change: pages that were shown must be fetched again (refusals stay)."""
        self.pages = {url: page for url, page in self.pages.items() if page[0] != 200}
        self.forms = {url: forms for url, forms in self.forms.items() if url in self.pages}

    def endpoint_of(self, url: str, method: str) -> str | None:
        try:
            endpoint, _ = self.adapter.match(urlsplit(url).path, method=method)
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return None
        return endpoint

    def object_page(self, url: str) -> bool:
        """A page about one object (a report, a dossier): a GET route with arguments."""
        try:
            rule, _ = self.adapter.match(url, method="GET", return_rule=True)
        except (NotFound, MethodNotAllowed, RequestRedirect):
            return False
        return bool(rule.arguments) and rule.endpoint != "static"

    def get_pages(self) -> list[tuple[object, str]]:
        rules = [r for r in self.app.url_map.iter_rules() if "GET" in r.methods and r.endpoint != "static"]
        return [(rule, self.url(rule)) for rule in sorted(rules, key=lambda r: r.endpoint)]

    def sources(self) -> list[str]:
        """Where forms are: every page of this world, and the pages of the objects they link
        to (the other reports on the board, say). Each world is built alike, so the links
        found in the first one serve them all."""
        pages = list(self.routes())
        if self.linked is None:
            self.linked = []
            for url in pages:
                _, html = self.page(url)
                for href in re.findall(r'<a\b[^>]*\bhref="(/[^"?#]*)"', html or ""):
                    if href not in pages + self.linked and self.object_page(href):
                        self.linked.append(href)
        return pages + [url for url in self.linked if url not in pages]

    def form_posting_to(self, endpoint: str, *, search: bool = True) -> Form | None:
        """The form on the page it was found on before, else on a page like it, else
        (`search`) on any page."""

        def found(url: str) -> Form | None:
            for form in self.forms_on(url):
                if form.method == "post" and self.endpoint_of(form.action, "POST") == endpoint:
                    self.form_pages[endpoint] = self.routes().get(url, url)
                    return form
            return None

        known = self.form_pages.get(endpoint)
        if known is not None:
            url = known if isinstance(known, str) else self.url(known)
            if (form := found(url)) is not None:
                return form
            # The same kind of page about another object: the next report, say.
            kind = self.endpoint_of(url, "GET")
            siblings = [other for other in self.sources() if other != url and self.endpoint_of(other, "GET") == kind]
            if (form := next((form for other in siblings if (form := found(other))), None)) is not None:
                return form
            if not search:
                return None
        return next((form for url in self.sources() if (form := found(url))), None)

    def routes(self) -> dict[str, object]:
        if self._routes is None:
            self._routes = {url: rule for rule, url in self.get_pages()}
        return self._routes

    # valid values

    def default(self, f: Field, form_action: str) -> str | None:
        short = f.name.rsplit("-", 1)[-1]
        if f.kind in ("checkbox", "radio"):
            return f.value if f.checked else None
        if f.kind == "select":
            chosen = [v for v, selected in f.options if selected and v]
            filled = [v for v, _ in f.options if v]
            return (chosen or filled or [v for v, _ in f.options] or [""])[0]
        if f.kind == "hidden":
            return f.value
        if f.kind == "password":
            return self.password
        if f.value:
            return f.value
        if f.kind == "email" or short == "email":
            return f"fuzz{next(self.counter)}@example.test"
        if f.kind == "date":
            return DEFAULT_DATE
        if short == "target":  # another report than the one the form is about
            return next(ref for ref in (self.world["target"], self.world["reference"]) if ref not in form_action)
        if short == "bwb_id":
            return "BWBR0015703"
        if f.inputmode == "numeric":  # a count or minutes (the impact estimate)
            return "12"
        return DEFAULT_TEXT

    def valid_pairs(self, form: Form) -> list[tuple[str, str]]:
        pairs = []
        for name in form.names():
            fields = [f for f in form.fields if f.name == name]
            values = [v for v in (self.default(f, form.action) for f in fields) if v is not None]
            if not values and (fields[0].kind == "radio" or (fields[0].kind == "checkbox" and len(fields) > 1)):
                values = [fields[0].value]  # nothing chosen in a group: the first
            pairs.extend((name, value) for value in values)
        return pairs

    # sending

    def post(self, url: str, pairs, what: str):
        body = form_body(pairs)
        return self.run.record(
            what,
            lambda: self.client.post(url, data=body, content_type="application/x-www-form-urlencoded"),
        )

    def post_form(self, endpoint: str) -> None:
        """Each field of the form, one at a time, with each hostile value (the rest valid)."""
        form = self.form_posting_to(endpoint)
        if form is None:
            return  # no page offers this role the form
        # After a value was accepted, the object may be used up while its form stays (one
        # 'ik ook' per person, an item merged into itself): then a refusal of a valid form
        # says so, and the value is sent again in a fresh world.
        armed = False
        reusable = False
        values = {**HOSTILE, "invalid-utf8-encoded": EncodedBytes(INVALID_UTF8)}
        sent_megabyte = False
        for name in form.names():
            for label, value in values.items():
                if label == "megabyte":
                    if sent_megabyte:
                        continue  # the body is refused before any field is read
                    sent_megabyte = True
                accepted = self.send(endpoint, name, label, value)
                if accepted is None:
                    continue
                if accepted:
                    armed = not reusable
                elif armed:
                    armed = False
                    if self.send(endpoint, None, "valid values only", None):
                        reusable = True  # refused for the value, not because it was used up
                    else:
                        self.fresh_world()
                        armed = bool(self.send(endpoint, name, label, value))

    def send(self, endpoint: str, name: str | None, label: str, value) -> bool | None:
        """Post the form with `name` set to `value` (None: all valid); whether it was accepted."""
        form = self.form_posting_to(endpoint, search=False)
        if form is None:
            # Gone after an accepted value (decided, handled, ended): a fresh world.
            self.fresh_world()
            form = self.form_posting_to(endpoint)
            assert form is not None, f"{self.role}: the form of {endpoint} is not in a fresh world"
        pairs = [(n, v) for n, v in self.valid_pairs(form) if n != name]
        if name is not None:
            pairs.append((name, value))
        response = self.post(form.action, pairs, f"POST {endpoint} {name}={label}")
        if response is None:
            return None
        if response.status_code == 200:
            self.next_step(form, response, endpoint, name, label)
        if response.status_code >= 400:
            return False
        if name is not None:
            self.run.reached.add(f"{endpoint} {name}")
        self.forget_pages()  # something changed
        if self._changes_password(form) and name is not None and name.endswith("password") and isinstance(value, str):
            self.password = value
        return True

    def _changes_password(self, form: Form) -> bool:
        names = {n.rsplit("-", 1)[-1] for n in form.names()}
        return {"current", "password"} <= names

    def next_step(self, form: Form, response, endpoint: str, name: str, label: str) -> None:
        """A form that answers with a confirmation step (is dit al gemeld?): confirm it."""
        html = response.get_data(as_text=True)
        for step in parse_forms(html, form.action):
            if step.method == "post" and self.endpoint_of(step.action, "POST") == endpoint and step.buttons:
                pairs = [(f.name, f.value) for f in step.fields] + [step.buttons[0]]
                confirmed = self.post(step.action, pairs, f"POST {endpoint} {name}={label} (confirmed)")
                if confirmed is not None and confirmed.status_code < 400:
                    self.forget_pages()
                return

    # the three walks

    def walk_queries(self) -> None:
        for rule, url in self.get_pages():
            if self.page(url)[0] != 200:
                continue  # not this role's page: the parameters are never read
            params = list(KNOWN_PARAMS.get(rule.endpoint, ()))
            for form in self.forms_on(url):
                if form.method == "get":
                    params += [n for n in form.names() if n not in params]
            for index, param in enumerate(params):
                for label, value in HOSTILE.items():
                    if label == "megabyte" and index:
                        continue
                    target = query_url(url, {param: value})
                    self.run.record(f"GET {rule.endpoint} ?{param}={label}", lambda t=target: self.client.get(t))

    def walk_paths(self) -> None:
        token = self.csrf_token()
        for rule in sorted(self.app.url_map.iter_rules(), key=lambda r: r.endpoint):
            # Refused, or sent to log in, before the arguments are looked at.
            if self.role == "anon" and "GET" not in rule.methods:
                continue
            if "GET" in rule.methods and rule.arguments:
                status = self.page(self.url(rule))[0]
                if status == 403 or (self.role == "anon" and status == 302):
                    continue
            for argument in sorted(rule.arguments):
                values = dict(HOSTILE)
                if argument == "reference":
                    values.update(EXTRA_PATH_VALUES)
                for label, value in values.items():
                    url = self.url(rule, **{argument: value})
                    if "GET" in rule.methods:
                        self.run.record(f"GET {rule.endpoint} <{argument}>={label}", lambda u=url: self.client.get(u))
                    else:
                        self.run.record(
                            f"POST {rule.endpoint} <{argument}>={label}",
                            lambda u=url: self.client.post(u, data={"csrf_token": token}),
                        )

    def walk_forms(self) -> None:
        endpoints = sorted(
            {r.endpoint for r in self.app.url_map.iter_rules() if "POST" in r.methods},
            key=lambda e: (LAST.index((e, "POST")) if (e, "POST") in LAST else -1, e),
        )
        for endpoint in endpoints:
            self.post_form(endpoint)
        self.check_database()

    def csrf_token(self) -> str:
        for url in ("/inloggen", "/"):
            for form in self.forms_on(url):
                for f in form.fields:
                    if f.name == "csrf_token":
                        return f.value
        raise AssertionError("no CSRF token found")


# --- checking what the database holds ------------------------------------------------------------


def _string_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, String):
                yield table.name, column.name, column.type.length
    yield "rate_limit", "key", 255  # kept by hand-written SQL (app/ratelimit.py)


def corrupted_rows() -> list[str]:
    """Every stored string with a control character, invalid UTF-8, or longer than its column."""
    problems = []
    sqlite = db.engine.dialect.name == "sqlite"
    with db.engine.connect() as conn:
        for table, column, length in _string_columns():
            select = f'CAST("{column}" AS BLOB)' if sqlite else f'"{column}"'
            rows = conn.execute(text(f'SELECT {select} FROM "{table}" WHERE "{column}" IS NOT NULL'))
            for (value,) in rows:
                if isinstance(value, bytes):
                    try:
                        value = value.decode("utf-8")
                    except UnicodeDecodeError:
                        problems.append(f"{table}.{column}: invalid UTF-8 {value[:60]!r}")
                        continue
                if FORBIDDEN_STORED.search(value):
                    problems.append(f"{table}.{column}: control character in {value[:60]!r}")
                elif length is not None and len(value) > length:
                    problems.append(f"{table}.{column}: {len(value)} characters, column holds {length}")
        conn.rollback()
    return problems


def saved_anywhere(value: str) -> bool:
    with db.engine.connect() as conn:
        for table, column, _ in _string_columns():
            found = conn.execute(
                text(f'SELECT 1 FROM "{table}" WHERE "{column}" LIKE :pattern LIMIT 1'),
                {"pattern": "%" + value.replace("%", "").replace("_", "") + "%"},
            ).first()
            if found:
                conn.rollback()
                return True
        conn.rollback()
    return False


# --- the tests ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_hostile_input_never_gives_a_500_nor_a_corrupted_row(app, role):
    # The walk sends hundreds of wrong passwords on purpose; the limits have their own tests.
    app.config.update(
        LOGIN_LIMIT_PER_CLIENT="100000 per minute",
        LOGIN_LIMIT_PER_ACCOUNT="100000 per minute",
        PASSWORD_CHANGE_LIMIT="100000 per minute",
        CHECKBACK_LIMIT_PER_CLIENT="100000 per minute",
    )
    started = time.monotonic()
    walker = Walker(app, role)
    walker.walk_queries()
    walker.walk_paths()
    walker.walk_forms()
    run = walker.run
    elapsed = time.monotonic() - started
    FUZZ_SUMMARY.append(
        f"fuzz {db_name(app)} {role}: {run.requests} requests, {len(run.server_errors)} responses >= 500, "
        f"{len(run.corrupted)} corrupted rows; {len(run.reached)} form fields past validation, "
        f"{run.worlds} worlds, {elapsed:.1f} s"
    )
    assert not run.server_errors, f"{len(run.server_errors)} request(s) failed:\n" + "\n".join(run.server_errors[:40])
    assert not run.corrupted, f"{len(run.corrupted)} corrupted row(s):\n" + "\n".join(run.corrupted[:40])
    if role != "anon":
        missing = [value for value in MUST_BE_SAVED if value not in run.saved]
        assert not missing, f"{role}: the walk never got these acceptable values saved: {missing}"


def db_name(app) -> str:
    with app.app_context():
        return db.engine.dialect.name


def _parameters_read_by_the_app() -> set[str]:
    """Every literal name in `args.get("...")` (request.args, or the args a helper is given)."""
    names = set()
    for path in APP_DIR.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "get"
                and isinstance(node.func.value, ast.Attribute | ast.Name)
                and getattr(node.func.value, "attr", getattr(node.func.value, "id", None)) == "args"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                names.add(node.args[0].value)
    return names


def test_every_query_parameter_the_app_reads_is_fuzzed():
    fuzzed = {name for names in KNOWN_PARAMS.values() for name in names}
    missing = _parameters_read_by_the_app() - fuzzed
    assert not missing, f"query parameters the app reads but the fuzz does not send (add to KNOWN_PARAMS): {missing}"


def test_the_form_reader_finds_what_a_browser_would_send():
    html = """<form method="post" action="/x"><input type="hidden" name="csrf_token" value="t">
    <input name="a" value="1"><textarea name="b">
regel</textarea><select name="c"><option value="">Kies</option><option value="2">Twee</option></select>
    <input type="radio" name="d" value="r1"><input type="radio" name="d" value="r2" checked>
    <input type="checkbox" name="e" value="y"><button type="submit" name="go" value="1">Ga</button></form>
    <form method="get"><input type="search" name="zoek"></form>"""
    post, get = parse_forms(html, "/pagina")
    assert (post.method, post.action, get.method, get.action) == ("post", "/x", "get", "/pagina")
    assert [(f.name, f.kind, f.value) for f in post.fields][:3] == [
        ("csrf_token", "hidden", "t"),
        ("a", "text", "1"),
        ("b", "textarea", "regel"),
    ]
    assert post.fields[3].options == [("", False), ("2", False)]
    assert post.buttons == [("go", "1")]
    assert form_body([("a", "b c"), ("d", b"\xff")]) == b"a=b+c&d=\xff"
