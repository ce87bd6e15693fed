"""What every role gets on every route: the one declared access table (QUALITY.md, 1).

Keys are (Flask endpoint, HTTP method); values say, for each role, what a request gets.
tests/test_security_routes.py checks this table against app.url_map (no route missing,
no stale row) and then checks every cell through the real login form.

The world the requests run in (built by the test):
  * a department               -> <int:department_id>
  * an employee "Eigenaar" with one open report -> <reference>
    The "employee" role is a *different* medewerker: for them this report is someone
    else's, so it must answer like one that does not exist (404).
  * a plain employee account   -> <int:user_id>
  * <path:filename>            -> css/app.css
  * a weekly session started by another coach, with the report on its agenda
                               -> <int:session_id>, <int:item_id>
  * a webhook with one delivery in its log -> <int:webhook_id>, <int:delivery_id>

Every GET runs with no query string; every POST carries a valid CSRF token and no other
data (empty forms must be re-rendered with errors, never answer 500). POSTs run after
the GETs; ending the weekly session and logging out run last (see LAST).

Outcomes:
  200           the page is shown
  LOGIN         302 to /inloggen?next=<the requested path>
  redirect(p)   302/303 to path p ("{reference}", "{session_id}" are filled in)
  400           the form comes back with its error summary
  403           "Geen toegang" (logged in, wrong role)
  404           "Pagina niet gevonden" (object not visible to this user)
"""

from __future__ import annotations

ROLES = ("anon", "employee", "coach", "legal", "admin", "executive")

# Roles as they are given to make_user for each column.
ROLE_GRANTS = {
    "employee": ("employee",),
    "coach": ("employee", "coach"),
    "legal": ("employee", "legal"),
    "admin": ("employee", "admin"),
    "executive": ("employee", "executive"),
}

LOGIN = "login"

# POSTs that end something the other cells need; they run at the very end, in this order.
LAST = [("triage.end", "POST"), ("auth.logout", "POST")]


def redirect(path: str) -> tuple[str, str]:
    return ("redirect", path)


# fmt: off
ROUTE_TABLE: dict[tuple[str, str], dict[str, object]] = {
    # --- static files: the same for everyone ------------------------------------------
    ("static", "GET"):                  {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},

    # --- 'Merkbaar beter?': a link from the mail, no login needed; an empty answer comes back --
    ("checkback.answer", "GET"):        {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("checkback.answer", "POST"):       {"anon": 400,     "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    ("checkback.thanks", "GET"):        {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},

    # --- main --------------------------------------------------------------------------
    ("main.index", "GET"):              {"anon": redirect("/inloggen"), "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    # The accessibility statement is public (legal duty), also before logging in.
    ("main.accessibility", "GET"):      {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("main.favicon", "GET"):            {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    # The red button an intranet page frames: no login (the link opens the form in a new window).
    ("main.embed", "GET"):              {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    # The municipality's logo and local tokens file (app.look): public like the pages that
    # show them; this table's app sets neither, so they are not there (tests/test_look.py).
    ("main.logo", "GET"):               {"anon": 404,     "employee": 404, "coach": 404, "legal": 404, "admin": 404},
    ("main.theme_css", "GET"):          {"anon": 404,     "employee": 404, "coach": 404, "legal": 404, "admin": 404},

    # --- auth --------------------------------------------------------------------------
    ("auth.login", "GET"):              {"anon": 200,     "employee": redirect("/"), "coach": redirect("/"), "legal": redirect("/"), "admin": redirect("/")},
    ("auth.login", "POST"):             {"anon": 400,     "employee": redirect("/"), "coach": redirect("/"), "legal": redirect("/"), "admin": redirect("/")},
    # Single sign-on: off in this table's app (no OIDC_ISSUER), so not there for anyone.
    # With SSO on, tests/test_sso.py checks them per role.
    ("sso.start", "GET"):               {"anon": 404,     "employee": 404, "coach": 404, "legal": 404, "admin": 404},
    ("sso.callback", "GET"):            {"anon": 404,     "employee": 404, "coach": 404, "legal": 404, "admin": 404},
    ("auth.logout", "POST"):            {"anon": LOGIN,   "employee": redirect("/inloggen"), "coach": redirect("/inloggen"), "legal": redirect("/inloggen"), "admin": redirect("/inloggen")},
    ("auth.change_password", "GET"):    {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("auth.change_password", "POST"):   {"anon": LOGIN,   "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    # The link mailed to an account's owner is the credential: open to whoever holds it.
    # An empty form comes back with its messages.
    ("auth.password_forgotten_page", "GET"):  {"anon": 200, "employee": redirect("/wachtwoord"), "coach": redirect("/wachtwoord"), "legal": redirect("/wachtwoord"), "admin": redirect("/wachtwoord")},
    ("auth.password_forgotten_page", "POST"): {"anon": 400, "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    ("auth.choose_password", "GET"):    {"anon": 200,     "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("auth.choose_password", "POST"):   {"anon": 400,     "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    # The code page after a correct password: without that pending state, back to the login page.
    ("auth.second_factor", "GET"):      {"anon": redirect("/inloggen"), "employee": redirect("/"), "coach": redirect("/"), "legal": redirect("/"), "admin": redirect("/")},
    ("auth.second_factor", "POST"):     {"anon": redirect("/inloggen"), "employee": redirect("/"), "coach": redirect("/"), "legal": redirect("/"), "admin": redirect("/")},
    # Setting up one's own second factor: open to everyone logged in; an empty code comes back.
    ("auth.two_factor", "GET"):         {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("auth.two_factor", "POST"):        {"anon": LOGIN,   "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    # New recovery codes / switching off: without the password or a code nothing happens.
    ("auth.two_factor_codes", "POST"):  {"anon": LOGIN,   "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    ("auth.two_factor_off", "POST"):    {"anon": LOGIN,   "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    ("auth.settings", "GET"):           {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    # One radio group; a POST without it keeps the current choice (a no-op save).
    ("auth.settings", "POST"):          {"anon": LOGIN,   "employee": redirect("/instellingen"), "coach": redirect("/instellingen"), "legal": redirect("/instellingen"), "admin": redirect("/instellingen")},

    # --- reports: the red button, open to every logged-in user -------------------------
    ("reports.new", "GET"):             {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("reports.new", "POST"):            {"anon": LOGIN,   "employee": 400, "coach": 400, "legal": 400, "admin": 400},
    ("reports.similar", "GET"):         {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("reports.mine", "GET"):            {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    # Only the reporter sees the confirmation page; nobody in this table reported it.
    ("reports.confirmation", "GET"):    {"anon": LOGIN,   "employee": 404, "coach": 404, "legal": 404, "admin": 404},
    # Someone else's report: staff may open it, a medewerker gets "does not exist".
    ("reports.detail", "GET"):          {"anon": LOGIN,   "employee": 404, "coach": 200, "legal": 200, "admin": 200},
    # 'Ik loop hier ook tegenaan' is open to everyone for an open report (it is offered
    # in the similar-reports list); an empty note is allowed, so the POST succeeds.
    ("reports.support", "GET"):         {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},
    ("reports.support", "POST"):        {"anon": LOGIN,   "employee": redirect("/meldingen/{reference}"), "coach": redirect("/meldingen/{reference}"), "legal": redirect("/meldingen/{reference}"), "admin": redirect("/meldingen/{reference}")},

    # --- staff overview ----------------------------------------------------------------
    ("reports.index", "GET"):           {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200},
    # The list as a file (CSV, xlsx): whoever sees the list may download it.
    ("reports.export_csv", "GET"):      {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200},
    ("reports.export_xlsx", "GET"):     {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200},

    # --- the coaches' board: staff may look, only coaches act (notes/updates: legal too) --
    ("board.index", "GET"):             {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200},
    # A card's action page (its 'Acties' link): only for who may move cards.
    ("board.move", "GET"):              {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 403, "admin": 403},
    # No version in the form: nothing changes, the card's action page says so.
    ("board.take_on", "POST"):          {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("board.move", "POST"):             {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},

    # --- what staff do on the report page: coaches act (notes and messages: legal too) ---
    # Without the report version the form carries, nothing may change (QUALITY.md, 8).
    ("reports.take_on", "POST"):        {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("reports.assign", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("reports.decide", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("reports.merge", "POST"):          {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("reports.reopen", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("reports.note", "POST"):           {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 400, "admin": 403},
    ("reports.update", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 400, "admin": 403},
    # The impact estimate: the reporter (open report) and coaches; whoever may see the report
    # gets the form back (no version: nothing changes), anyone else a 404.
    ("reports.estimate", "POST"):       {"anon": LOGIN,   "employee": 404, "coach": 400, "legal": 400, "admin": 400},
    # Attachments (the world's report has one image, number 1): only for who may see the
    # report (the same rule as its page), a 404 for anyone else (never reveal it exists).
    ("reports.attachment", "GET"):      {"anon": LOGIN,   "employee": 404, "coach": 200, "legal": 200, "admin": 200},
    ("reports.attachment_preview", "GET"): {"anon": LOGIN, "employee": 404, "coach": 200, "legal": 200, "admin": 200},
    # Adding files on the report page: its reporter and coaches and Juridische Zaken (no file
    # sent: the form comes back); the beheerder may look but not add.
    ("reports.attach", "POST"):         {"anon": LOGIN,   "employee": 404, "coach": 400, "legal": 400, "admin": 403},

    # --- the weekly session: coaches only ------------------------------------------------
    ("triage.index", "GET"):            {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 403, "admin": 403},
    # A session is running (the world starts one): pressing 'start' joins it.
    ("triage.index", "POST"):           {"anon": LOGIN,   "employee": 403, "coach": redirect("/weekoverleg/{session_id}"), "legal": 403, "admin": 403},
    ("triage.session", "GET"):          {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 403, "admin": 403},
    ("triage.minutes", "GET"):          {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 403, "admin": 403},
    ("triage.attendees", "POST"):       {"anon": LOGIN,   "employee": 403, "coach": redirect("/weekoverleg/{session_id}"), "legal": 403, "admin": 403},
    # Without the report version the form carries, nothing may change (QUALITY.md, 8).
    ("triage.take_on", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("triage.assign", "POST"):          {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("triage.decide", "POST"):          {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("triage.merge", "POST"):           {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    ("triage.skip", "POST"):            {"anon": LOGIN,   "employee": 403, "coach": redirect("/weekoverleg/{session_id}"), "legal": 403, "admin": 403},
    # No version (and nothing decided on the item yet): nothing is undone.
    ("triage.undo", "POST"):            {"anon": LOGIN,   "employee": 403, "coach": 400, "legal": 403, "admin": 403},
    # Ending the session is the last POST of the walk; it leads to the minutes.
    ("triage.end", "POST"):             {"anon": LOGIN,   "employee": 403, "coach": redirect("/weekoverleg/{session_id}/besluitenlijst"), "legal": 403, "admin": 403},

    # --- what was fixed: for every logged-in user -----------------------------------------
    ("results.index", "GET"):           {"anon": LOGIN,   "employee": 200, "coach": 200, "legal": 200, "admin": 200},

    # --- open data: coaches, Juridische Zaken, beheerder (anyone with OPEN_DATA_PUBLIC) -----
    ("opendata.index", "GET"):          {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    ("opendata.reports_csv", "GET"):    {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    ("opendata.reports_json", "GET"):   {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    ("opendata.dossiers_csv", "GET"):   {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    ("opendata.dossiers_json", "GET"):  {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},

    # --- Inzicht, the dashboard: staff and management (bestuurder) -------------------------
    ("insight.index", "GET"):           {"anon": LOGIN,   "employee": 403, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    # Without ?figuur= there is no figure to download.
    ("insight.download", "GET"):        {"anon": LOGIN,   "employee": 403, "coach": 404, "legal": 404, "admin": 404, "executive": 404},

    # --- Juridische Zaken: legal acts; the beheerder may look (read-only) -------------------
    ("dossiers.index", "GET"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 200, "admin": 200},
    ("dossiers.detail", "GET"):           {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 200, "admin": 200},
    ("dossiers.export_csv", "GET"):        {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 200, "admin": 200},
    ("dossiers.export_xlsx", "GET"):       {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 200, "admin": 200},
    # Without the dossier version the form carries, nothing may change.
    ("dossiers.edit", "POST"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 400, "admin": 403},
    ("dossiers.status", "POST"):           {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 400, "admin": 403},
    ("dossiers.note", "POST"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 400, "admin": 403},
    # 'Ik pak dit dossier op': without the version the page was loaded at, nothing happens.
    ("dossiers.take_on", "POST"):          {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 400, "admin": 403},
    # The shared register (app.dossiers.register): this installation is no member in the
    # test world, so the page says so; an empty summary comes back; withdrawing or joining
    # what is not published says why on the dossier page.
    ("dossiers.register_publish", "GET"):  {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 200, "admin": 403},
    ("dossiers.register_publish", "POST"): {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 400, "admin": 403},
    ("dossiers.register_withdraw", "POST"): {"anon": LOGIN,  "employee": 403, "coach": 403, "legal": redirect("/juridisch/dossiers/{dossier_id}"), "admin": 403},
    ("dossiers.register_join_letter", "POST"): {"anon": LOGIN, "employee": 403, "coach": 403, "legal": redirect("/juridisch/dossiers/{dossier_id}"), "admin": 403},

    # --- administration: administrators only -------------------------------------------
    ("admin.index", "GET"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": redirect("/beheer/gebruikers")},
    ("admin.users", "GET"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.new_user", "GET"):          {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.new_user", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.edit_user", "GET"):         {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    # Sends <user_id> a link to choose a new password (no fields to fill in).
    ("admin.send_password_link", "POST"): {"anon": LOGIN, "employee": 403, "coach": 403, "legal": 403, "admin": redirect("/beheer/gebruikers/{user_id}")},
    # Wiping <user_id>'s second factor needs the confirmation box ticked.
    ("admin.reset_two_factor", "POST"): {"anon": LOGIN, "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.audit", "GET"):             {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.edit_user", "POST"):        {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.departments", "GET"):       {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.departments", "POST"):      {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.edit_department", "GET"):   {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    # An empty POST must not save: today a POST without the name field keeps the old
    # name and, the 'active' box being absent, deactivates the department.
    ("admin.edit_department", "POST"):  {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.addressees", "GET"):        {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.addressees", "POST"):       {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.edit_addressee", "GET"):    {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.edit_addressee", "POST"):   {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    # Webhooks: <webhook_id> with one delivery <delivery_id> in its log.
    ("admin.webhooks", "GET"):          {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.webhooks", "POST"):         {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.edit_webhook", "GET"):      {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 200},
    ("admin.edit_webhook", "POST"):     {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    # Deleting and a new secret need the confirmation box ticked.
    ("admin.delete_webhook", "POST"):   {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    ("admin.renew_webhook_secret", "POST"): {"anon": LOGIN, "employee": 403, "coach": 403, "legal": 403, "admin": 400},
    # 'Opnieuw versturen' has nothing to fill in.
    ("admin.resend_delivery", "POST"):  {"anon": LOGIN,   "employee": 403, "coach": 403, "legal": 403, "admin": redirect("/beheer/webhooks/{webhook_id}")},
}
# fmt: on

# The bestuurder (management, role executive) sees what every employee sees, and Inzicht:
# a row that does not name it gives the employee's outcome.
for _row in ROUTE_TABLE.values():
    _row.setdefault("executive", _row["employee"])

# --- API keys (app/api/pages.py): one's own under Mijn instellingen, all of them under Beheer ---
# <token_id> is a key of another medewerker: only the beheerder may revoke it.
ROUTE_TABLE.update({
    ("api_keys.mine", "GET"):   {"anon": LOGIN, "employee": 200, "coach": 200, "legal": 200, "admin": 200, "executive": 200},
    ("api_keys.mine", "POST"):  {"anon": LOGIN, "employee": 400, "coach": 400, "legal": 400, "admin": 400, "executive": 400},
    ("api_keys.revoke", "POST"): {"anon": LOGIN, "employee": 404, "coach": 404, "legal": 404, "admin": redirect("/instellingen/api-sleutels"), "executive": 404},
    ("api_keys.admin", "GET"):  {"anon": LOGIN, "employee": 403, "coach": 403, "legal": 403, "admin": 200, "executive": 403},
    ("api_keys.admin", "POST"): {"anon": LOGIN, "employee": 403, "coach": 403, "legal": 403, "admin": 400, "executive": 403},
})  # fmt: skip

# --- the JSON API (app/api) ---------------------------------------------------------------
# A login cookie never authenticates it: every operation answers 401 (problem+json) to every
# role of this table, also with the CSRF token. The document and its page are public.
API_OPERATIONS: list[tuple[str, str]] = [
    ("api.submit", "POST"),
    ("api.similar", "GET"),
    ("api.report", "GET"),
    ("api.support", "POST"),
    ("api.my_reports", "GET"),
    ("api.board_columns", "GET"),
    ("api.board_column", "GET"),
    ("api.take_on", "POST"),
    ("api.assign", "POST"),
    ("api.decide", "POST"),
    ("api.merge", "POST"),
    ("api.reopen", "POST"),
    ("api.note", "POST"),
    ("api.update", "POST"),
    ("api.dossiers", "GET"),
    ("api.dossier", "GET"),
    ("api.dossier_timeline", "GET"),
    ("api.statistics", "GET"),
]
for _key in API_OPERATIONS:
    ROUTE_TABLE[_key] = dict.fromkeys(ROLES, 401)
ROUTE_TABLE[("api-docs.openapi_json", "GET")] = dict.fromkeys(ROLES, 200)
ROUTE_TABLE[("api_docs.page", "GET")] = dict.fromkeys(ROLES, 200)

# Every API operation x every kind of token (tests/test_api_routes.py), in the world above
# (<reference>: someone else's open report; <dossier_id>: a dossier; <column>: nieuw). GETs
# carry no query string and POSTs the JSON body {}: an allowed call without its fields is
# 422, never a change. Columns: no token, an expired and a revoked token (of a coach), and
# each role's token with every scope its roles allow; "-read": that role with scope read only.
TOKENS = (
    "none",
    "expired",
    "revoked",
    "employee",
    "employee-read",
    "coach",
    "coach-read",
    "legal",
    "admin",
    "executive",
)
_REFUSED = {"none": 401, "expired": 401, "revoked": 401}


def _api_row(employee, coach, legal, admin, executive, *, read_only=None, coach_read=None) -> dict[str, object]:
    return {
        **_REFUSED,
        "employee": employee,
        "employee-read": employee if read_only is None else read_only,
        "coach": coach,
        "coach-read": coach if coach_read is None else coach_read,
        "legal": legal,
        "admin": admin,
        "executive": executive,
    }


# fmt: off
API_TABLE: dict[tuple[str, str], dict[str, object]] = {
    # scope report: anyone may report and support; a read-only token may not.
    ("api.submit", "POST"):           _api_row(422, 422, 422, 422, 422, read_only=403, coach_read=403),
    ("api.support", "POST"):          _api_row(201, 201, 201, 201, 201, read_only=403, coach_read=403),
    # scope read: a missing query (rule) is 422.
    ("api.similar", "GET"):           _api_row(422, 422, 422, 422, 422),
    # Someone else's report: staff may see it, others get 404 as if it did not exist.
    ("api.report", "GET"):            _api_row(404, 200, 200, 200, 404),
    ("api.my_reports", "GET"):        _api_row(200, 200, 200, 200, 200),
    # scope triage, and the board's area: coaches.
    ("api.board_columns", "GET"):     _api_row(403, 200, 403, 403, 403, coach_read=403),
    ("api.board_column", "GET"):      _api_row(403, 200, 403, 403, 403, coach_read=403),
    ("api.take_on", "POST"):          _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.assign", "POST"):           _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.decide", "POST"):           _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.merge", "POST"):            _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.reopen", "POST"):           _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.note", "POST"):             _api_row(403, 422, 403, 403, 403, coach_read=403),
    ("api.update", "POST"):           _api_row(403, 422, 403, 403, 403, coach_read=403),
    # scope legal, and the dossiers' area: Juridische Zaken and the beheerder.
    ("api.dossiers", "GET"):          _api_row(403, 403, 200, 200, 403),
    ("api.dossier", "GET"):           _api_row(403, 403, 200, 200, 403),
    ("api.dossier_timeline", "GET"):  _api_row(403, 403, 200, 200, 403),
    # scope read, and Inzicht's area: staff and management.
    ("api.statistics", "GET"):        _api_row(403, 200, 200, 200, 200, read_only=403),
}
# fmt: on
