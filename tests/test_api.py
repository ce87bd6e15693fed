"""The JSON API (/api/v1): tokens and what they may do, problem+json errors, pagination,
ETags, submitting and supporting, the board and its actions with optimistic locking,
dossiers and statistics."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ApiToken, AuditEntry, Report, UserRole
from app.models.base import utcnow
from app.services import DomainError
from app.services.tokens import create_service_account, create_token, revoke_token
from tests.api_helpers import bearer, token_for
from tests.factories import count_statements, make_department, make_dossier, make_report, make_user

PROBLEM = "application/problem+json"


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.fixture
def world(app):
    with app.app_context():
        department = make_department("Burgerzaken")
        employee = make_user("Eva Medewerker", roles=("employee",), department=department)
        coach = make_user("Cas Coach", roles=("employee", "coach"))
        legal = make_user("Lotte Jurist", roles=("employee", "legal"))
        admin = make_user("Bram Beheer", roles=("employee", "admin"))
        executive = make_user("Dirk Bestuur", roles=("employee", "executive"))
        db.session.commit()
        ids = {
            "department": department.id,
            "employee": employee.id,
            "coach": coach.id,
            "legal": legal.id,
            "admin": admin.id,
            "executive": executive.id,
        }
        tokens = {role: token_for(db.session.get(type(employee), ids[role])) for role in ids if role != "department"}
    return ids, tokens


def _submit(client, secret, **fields):
    body = {"rule": "Drie handtekeningen voor een parkeervergunning", "problem": "Inwoners wachten weken."}
    body.update(fields)
    return client.post("/api/v1/reports", json=body, headers=bearer(secret))


# --- the document ------------------------------------------------------------------------


def test_the_openapi_document_is_3_1_and_public(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/reports" in spec["paths"] and "/api/v1/board/columns/{column}" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    # Every error is documented as problem+json.
    default = spec["components"]["responses"]["DEFAULT_ERROR"]
    assert list(default["content"]) == [PROBLEM]


def test_the_documentation_page_uses_only_vendored_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page
    assert "<script>" not in page and "http://" not in page and "https://" not in page
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


# --- authentication ----------------------------------------------------------------------


def test_without_a_token_the_api_answers_401_also_to_a_logged_in_browser(client, auth, world):
    response = client.get("/api/v1/me/reports")
    body = _is_problem(response, 401)
    assert body["title"] == "Niet aangemeld"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    with client.application.app_context():
        email = db.session.get(ApiToken, 1).user.email
    auth.login(email)
    assert client.get("/").status_code == 200  # the cookie works for the pages
    _is_problem(client.get("/api/v1/me/reports"), 401)  # never for the API
    _is_problem(client.get("/api/v1/me/reports", headers={"Authorization": "Basic abc"}), 401)


def test_csrf_does_not_apply_to_token_calls(app, client, world):
    assert app.config["WTF_CSRF_ENABLED"]
    _ids, tokens = world
    assert _submit(client, tokens["employee"]).status_code == 201


def test_unknown_expired_revoked_and_deactivated_tokens_are_refused(app, client, world):
    ids, tokens = world
    _is_problem(client.get("/api/v1/me/reports", headers=bearer("rk_" + "x" * 43)), 401)
    _is_problem(client.get("/api/v1/me/reports", headers=bearer("nonsense")), 401)
    assert client.get("/api/v1/me/reports", headers=bearer(tokens["employee"])).status_code == 200
    with app.app_context():
        from app.models import User

        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == ids["employee"]))
        token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    _is_problem(client.get("/api/v1/me/reports", headers=bearer(tokens["employee"])), 401)

    with app.app_context():
        coach = db.session.get(User, ids["coach"])
        token = db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == ids["coach"]))
        revoke_token(token, actor=db.session.get(User, ids["admin"]))
        db.session.commit()
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "api_token_revoked")) is not None
        assert coach.active
    _is_problem(client.get("/api/v1/me/reports", headers=bearer(tokens["coach"])), 401)

    assert client.get("/api/v1/me/reports", headers=bearer(tokens["legal"])).status_code == 200
    with app.app_context():
        db.session.get(User, ids["legal"]).active = False
        db.session.commit()
    _is_problem(client.get("/api/v1/me/reports", headers=bearer(tokens["legal"])), 401)


def test_a_token_never_does_more_than_its_users_roles_allow(app, client, world):
    ids, tokens = world
    from app.models import User

    with app.app_context():
        employee = db.session.get(User, ids["employee"])
        with pytest.raises(DomainError):
            create_token(employee, name="triage", scopes=["triage"], days=30, actor=employee)
        with pytest.raises(DomainError):
            create_token(employee, name="x", scopes=["read"], days=100_000, actor=employee)
    # A medewerker's token: no board (403, problem+json).
    body = _is_problem(client.get("/api/v1/board", headers=bearer(tokens["employee"])), 403)
    assert "triage" in body["detail"]
    assert client.get("/api/v1/board", headers=bearer(tokens["coach"])).status_code == 200
    # A coach who loses the role loses the scope on the token at once.
    with app.app_context():
        db.session.execute(db.delete(UserRole).where(UserRole.user_id == ids["coach"], UserRole.role == "coach"))
        db.session.commit()
    _is_problem(client.get("/api/v1/board", headers=bearer(tokens["coach"])), 403)
    # A token without the scope: read only cannot report.
    with app.app_context():
        reader = token_for(db.session.get(User, ids["executive"]), ["read"], name="alleen lezen")
    _is_problem(_submit(client, reader), 403)


def test_problems_are_in_the_language_of_the_tokens_user(app, client, world):
    """A token's user who chose English reads the problem texts and labels in English; a
    request without a token, or a user who chose nothing, the municipality's Dutch. The
    machine-readable parts (type, status, field names) are the same in each."""
    from app.models import User

    ids, tokens = world
    with app.app_context():
        db.session.get(User, ids["executive"]).language = "en"
        db.session.commit()
    english = _is_problem(client.get("/api/v1/board", headers=bearer(tokens["executive"])), 403)
    dutch = _is_problem(client.get("/api/v1/board", headers=bearer(tokens["employee"])), 403)
    assert english["title"] == "Permission missing" and "does not have the permission ‘triage’" in english["detail"]
    assert dutch["title"] == "Bevoegdheid ontbreekt" and "heeft de bevoegdheid ‘triage’ niet" in dutch["detail"]
    assert english["type"] == dutch["type"] == "about:blank"
    fields = _is_problem(client.post("/api/v1/reports", json={"rule": 5}, headers=bearer(tokens["executive"])), 422)
    assert fields["errors"]["rule"] == ["Give text."] and fields["errors"]["problem"] == ["This field is required."]
    assert _is_problem(client.get("/api/v1/me/reports"), 401)["title"] == "Niet aangemeld"
    made = _submit(client, tokens["executive"])
    assert made.status_code == 201 and made.get_json()["status_label"] == "New"


def test_last_use_is_written_at_most_once_a_minute(app, client, world):
    ids, tokens = world
    headers = bearer(tokens["employee"])
    assert client.get("/api/v1/me/reports", headers=headers).status_code == 200
    with app.app_context():
        first = db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.user_id == ids["employee"]))
    assert first is not None
    with count_statements(app) as statements:
        assert client.get("/api/v1/me/reports", headers=headers).status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE API_TOKEN")]
    with app.app_context():
        again = db.session.scalar(db.select(ApiToken.last_used_at).where(ApiToken.user_id == ids["employee"]))
    assert again == first


def test_the_rate_limit_per_token(app, client, world):
    _ids, tokens = world
    app.config["API_LIMIT_PER_TOKEN"] = "3 per minute"
    for _ in range(3):
        assert client.get("/api/v1/me/reports", headers=bearer(tokens["employee"])).status_code == 200
    _is_problem(client.get("/api/v1/me/reports", headers=bearer(tokens["employee"])), 429)
    # Another token is counted apart.
    assert client.get("/api/v1/me/reports", headers=bearer(tokens["legal"])).status_code == 200


def test_integration_tokens_act_as_a_named_service_account(app, client, world):
    ids, _tokens = world
    from app.models import User
    from app.services.workflow import may_follow_up

    with app.app_context():
        admin = db.session.get(User, ids["admin"])
        account = create_service_account("Zaaksysteem", ["employee", "coach"], actor=admin)
        token, secret = create_token(
            account, name="zaaksysteem", scopes=["read", "report", "triage"], days=30, actor=admin
        )
        db.session.commit()
        assert token.kind == "integration" and account.is_service_account
        assert not may_follow_up(account)
    response = _submit(client, secret)
    assert response.status_code == 201
    reference = response.get_json()["reference"]
    # The timeline names the integration to staff.
    detail = client.get(f"/api/v1/reports/{reference}", headers=bearer(_tokens["coach"])).get_json()
    assert detail["timeline"][0]["actor"] == "Koppeling: Zaaksysteem"


# --- errors ------------------------------------------------------------------------------


def test_hostile_input_gets_problem_json_never_500(client, world):
    _ids, tokens = world
    headers = bearer(tokens["coach"])
    _is_problem(
        client.post("/api/v1/reports", data="{not json", headers={**headers, "Content-Type": "application/json"}), 400
    )
    _is_problem(
        client.post(
            "/api/v1/reports", data="rule=x", headers={**headers, "Content-Type": "application/x-www-form-urlencoded"}
        ),
        415,
    )
    body = _is_problem(client.post("/api/v1/reports", json={"rule": 5, "problem": ["x"]}, headers=headers), 422)
    assert set(body["errors"]) == {"rule", "problem"}
    _is_problem(_submit(client, tokens["coach"], department_id=2**40), 422)
    _is_problem(_submit(client, tokens["coach"], unknown="x"), 422)
    _is_problem(_submit(client, tokens["coach"], rule="   "), 422)  # the service's own rule
    _is_problem(client.get("/api/v1/me/reports?cursor=abc", headers=headers), 400)
    _is_problem(client.get("/api/v1/me/reports?limit=100000000000000000000", headers=headers), 422)
    _is_problem(client.get("/api/v1/reports/RK-9999-99999999999", headers=headers), 404)
    _is_problem(client.get("/api/v1/dossiers/99999999999", headers=headers), 404)
    _is_problem(client.get("/api/v1/board/columns/nope", headers=headers), 404)
    _is_problem(client.delete("/api/v1/reports", headers=headers), 405)
    _is_problem(client.get("/api/v1/nope", headers=headers), 404)
    # A cursor of one list is no cursor of another.
    from app.api import cursor

    with client.application.test_request_context():
        other = cursor.encode("dossiers", utcnow(), 1)
    _is_problem(client.get(f"/api/v1/me/reports?cursor={other}", headers=headers), 400)


# --- reports -----------------------------------------------------------------------------


def test_submit_with_idempotency_key_gives_one_report(app, client, world):
    ids, tokens = world
    headers = {**bearer(tokens["employee"]), "Idempotency-Key": "abc-123"}
    body = {"rule": "Een regel", "problem": "Het gaat mis.", "department_id": ids["department"]}
    first = client.post("/api/v1/reports", json=body, headers=headers)
    second = client.post("/api/v1/reports", json=body, headers=headers)
    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["reference"] == second.get_json()["reference"]
    assert first.headers["Location"].endswith(first.get_json()["reference"])
    # The same key from someone else is their own report.
    other = client.post("/api/v1/reports", json=body, headers={**bearer(tokens["legal"]), "Idempotency-Key": "abc-123"})
    assert other.status_code == 201 and other.get_json()["reference"] != first.get_json()["reference"]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Report.id))) == 2


def test_an_anonymous_report_names_no_one_through_the_api(app, client, world):
    _ids, tokens = world
    response = _submit(client, tokens["employee"], anonymous=True)
    reference = response.get_json()["reference"]
    assert response.get_json()["yours"] is True
    for role, secret in tokens.items():
        detail = client.get(f"/api/v1/reports/{reference}", headers=bearer(secret))
        if role in ("coach", "legal", "admin", "employee"):
            assert detail.status_code == 200, role
            text = detail.get_data(as_text=True)
            assert "Eva" not in text and "Medewerker" not in text, role
            actor = detail.get_json()["timeline"][0]["actor"]
            assert actor == ("U (anoniem)" if role == "employee" else "Anoniem"), role
            # Only the day, to anyone but the reporter.
            if role != "employee":
                assert "T" not in detail.get_json()["created_at"]
        else:
            _is_problem(detail, 404)
    board = client.get("/api/v1/board/columns/nieuw", headers=bearer(tokens["coach"]))
    assert "Eva" not in board.get_data(as_text=True)


def test_support_and_similar(client, world):
    _ids, tokens = world
    reference = _submit(client, tokens["employee"]).get_json()["reference"]
    similar = client.get(
        "/api/v1/reports/similar?rule=handtekeningen parkeervergunning", headers=bearer(tokens["legal"])
    ).get_json()
    assert [item["reference"] for item in similar["items"]] == [reference]
    supported = client.post(
        f"/api/v1/reports/{reference}/support", json={"note": "Ik ook"}, headers=bearer(tokens["legal"])
    )
    assert supported.status_code == 201 and supported.get_json()["supporters"] == 1
    again = client.post(f"/api/v1/reports/{reference}/support", json={}, headers=bearer(tokens["legal"]))
    assert "al aangegeven" in _is_problem(again, 422)["detail"]
    own = client.post(f"/api/v1/reports/{reference}/support", json={}, headers=bearer(tokens["employee"]))
    _is_problem(own, 422)


def test_my_reports_cursor_pages_and_etag(app, client, world):
    _ids, tokens = world
    for n in range(5):
        _submit(client, tokens["employee"], rule=f"Regel {n}")
    headers = bearer(tokens["employee"])
    seen, url = [], "/api/v1/me/reports?limit=2"
    while url:
        page = client.get(url, headers=headers).get_json()
        seen += [item["rule"] for item in page["items"]]
        url = f"/api/v1/me/reports?limit=2&cursor={page['next_cursor']}" if page["next_cursor"] else None
    assert seen == [f"Regel {n}" for n in reversed(range(5))]
    first = client.get("/api/v1/me/reports", headers=headers)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    not_modified = client.get("/api/v1/me/reports", headers={**headers, "If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.get_data() == b""
    _submit(client, tokens["employee"], rule="Nog een")
    assert client.get("/api/v1/me/reports", headers={**headers, "If-None-Match": etag}).status_code == 200


# --- the board and the workflow ----------------------------------------------------------


def test_board_columns_cards_and_a_stale_version_gets_409(app, client, world):
    _ids, tokens = world
    references = [_submit(client, tokens["employee"], rule=f"Regel {n}").get_json()["reference"] for n in range(3)]
    coach = bearer(tokens["coach"])
    board = client.get("/api/v1/board", headers=coach).get_json()
    assert {c["key"]: c["count"] for c in board["columns"]}["nieuw"] == 3
    page = client.get("/api/v1/board/columns/nieuw?limit=2", headers=coach).get_json()
    assert [card["reference"] for card in page["items"]] == references[:2]  # the longest waiting first
    rest = client.get(f"/api/v1/board/columns/nieuw?limit=2&cursor={page['next_cursor']}", headers=coach).get_json()
    assert [card["reference"] for card in rest["items"]] == references[2:] and rest["next_cursor"] is None
    card = page["items"][0]
    assert card["take_on"] is True and card["version"] == 1

    taken = client.post(f"/api/v1/reports/{card['reference']}/take-on", json={"version": 1}, headers=coach)
    assert taken.status_code == 200 and taken.get_json()["status"] == "in_progress"
    note = client.post(f"/api/v1/reports/{card['reference']}/notes", json={"text": "Even navragen."}, headers=coach)
    assert note.status_code == 200
    stale = client.post(
        f"/api/v1/reports/{card['reference']}/decide",
        json={"version": 1, "outcome": "explained", "explanation": "De regel blijft."},
        headers=coach,
    )
    body = _is_problem(stale, 409)
    assert body["current"]["status"] == "in_progress" and body["current"]["version"] > 1
    decided = client.post(
        f"/api/v1/reports/{card['reference']}/decide",
        json={"version": body["current"]["version"], "outcome": "explained", "explanation": "De regel blijft."},
        headers=coach,
    )
    assert decided.status_code == 200 and decided.get_json()["status"] == "explained"
    # Filters as on the page: only what this coach follows up.
    mine = client.get("/api/v1/board/columns/afgerond?mijn=1", headers=coach).get_json()
    assert [c["reference"] for c in mine["items"]] == [card["reference"]]
    # The medewerker who reported it reads the outcome, and no internal note.
    detail = client.get(f"/api/v1/reports/{card['reference']}", headers=bearer(tokens["employee"])).get_json()
    assert detail["status"] == "explained" and not any(e["internal"] for e in detail["timeline"])
    assert detail["actions"]["moves"] == []


def test_list_queries_do_not_grow_with_the_data(app, client, world):
    ids, tokens = world

    def counts():
        found = {}
        for url, secret in (
            ("/api/v1/me/reports", tokens["employee"]),
            ("/api/v1/board/columns/nieuw", tokens["coach"]),
            ("/api/v1/board", tokens["coach"]),
            ("/api/v1/dossiers", tokens["legal"]),
        ):
            client.get(url, headers=bearer(secret))  # warm: last use, cached statements
            with count_statements(app) as statements:
                assert client.get(url, headers=bearer(secret)).status_code == 200
            found[url] = len(statements)
        return found

    from app.models import User

    with app.app_context():
        employee = db.session.get(User, ids["employee"])
        make_dossier(make_report(employee))
        db.session.commit()
    few = counts()
    print(f"\nAPI statements per list: {few}")
    with app.app_context():
        employee = db.session.get(User, ids["employee"])
        for n in range(12):
            report = make_report(employee, rule=f"Regel {n}")
            if n % 3 == 0:
                make_dossier(report)
        db.session.commit()
    assert counts() == few


# --- dossiers and statistics -------------------------------------------------------------


def test_dossiers_and_statistics(app, client, world):
    ids, tokens = world
    from app.models import User

    with app.app_context():
        dossier = make_dossier(make_report(db.session.get(User, ids["employee"])))
        db.session.commit()
        dossier_id = dossier.id
    listed = client.get("/api/v1/dossiers", headers=bearer(tokens["legal"])).get_json()
    assert [d["id"] for d in listed["items"]] == [dossier_id]
    one = client.get(f"/api/v1/dossiers/{dossier_id}", headers=bearer(tokens["admin"])).get_json()
    assert one["law_title"] == "Participatiewet" and len(one["reports"]) == 1
    timeline = client.get(f"/api/v1/dossiers/{dossier_id}/timeline", headers=bearer(tokens["legal"])).get_json()
    assert timeline["items"]
    _is_problem(client.get("/api/v1/dossiers", headers=bearer(tokens["coach"])), 403)

    stats = client.get("/api/v1/statistics", headers=bearer(tokens["executive"]))
    assert stats.status_code == 200 and len(stats.get_json()["figures"]) >= 5
    _is_problem(client.get("/api/v1/statistics", headers=bearer(tokens["employee"])), 403)
    bad = client.get("/api/v1/statistics?van=31-12-2026&tot=1-1-2026", headers=bearer(tokens["executive"]))
    assert "errors" in _is_problem(bad, 422)


# --- the pages around the keys -----------------------------------------------------------


def test_make_see_once_and_revoke_a_token_under_mijn_instellingen(app, client, auth, world):
    from tests.conftest import csrf_token

    ids, _tokens = world
    from app.models import User

    with app.app_context():
        email = db.session.get(User, ids["employee"]).email
    auth.login(email)
    page = client.get("/instellingen/api-sleutels")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'value="triage"' not in text and 'value="read"' in text  # only what the role allows
    token = csrf_token(client, "/instellingen/api-sleutels")
    made = client.post(
        "/instellingen/api-sleutels",
        data={"csrf_token": token, "name": "Mijn script", "scopes": ["read"], "days": "30"},
    )
    assert made.status_code == 200
    import re

    secret = re.search(r'value="(rk_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert client.get("/api/v1/me/reports", headers=bearer(secret)).status_code == 200
    listed = client.get("/instellingen/api-sleutels").get_data(as_text=True)
    assert "Mijn script" in listed and secret not in listed and secret[:8] in listed
    assert "Bevoegdheden: Lezen." in made.get_data(as_text=True) and ">Lezen</td>" in listed
    with app.app_context():
        token_id = db.session.scalar(db.select(ApiToken.id).where(ApiToken.name == "Mijn script"))
        assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "api_token_created")) is not None
    # Someone else's token cannot be revoked by this user (404); their own can.
    revoked = client.post(
        f"/instellingen/api-sleutels/{token_id}/intrekken",
        data={"csrf_token": csrf_token(client, "/instellingen/api-sleutels")},
    )
    assert revoked.status_code == 303
    _is_problem(client.get("/api/v1/me/reports", headers=bearer(secret)), 401)
    with app.app_context():
        coach_token = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == ids["coach"]))
    refused = client.post(
        f"/instellingen/api-sleutels/{coach_token}/intrekken",
        data={"csrf_token": csrf_token(client, "/instellingen/api-sleutels")},
    )
    assert refused.status_code == 404


def test_the_beheerder_lists_every_token_and_makes_an_integration(app, client, auth, world):
    from tests.conftest import csrf_token

    ids, _tokens = world
    from app.models import User

    with app.app_context():
        email = db.session.get(User, ids["admin"]).email
    auth.login(email)
    page = client.get("/beheer/api-sleutels").get_data(as_text=True)
    assert "Eva Medewerker" in page and "Cas Coach" in page
    made = client.post(
        "/beheer/api-sleutels",
        data={
            "csrf_token": csrf_token(client, "/beheer/api-sleutels"),
            "account": "Intranet",
            "roles": ["employee"],
            "name": "intranet-knop",
            "scopes": ["read", "report"],
            "days": "365",
        },
    )
    assert made.status_code == 200, made.get_data(as_text=True)
    import re

    secret = re.search(r'value="(rk_[^"]+)"', made.get_data(as_text=True)).group(1)
    assert _submit(client, secret).status_code == 201
    # Scopes beyond the account's roles are refused.
    refused = client.post(
        "/beheer/api-sleutels",
        data={
            "csrf_token": csrf_token(client, "/beheer/api-sleutels"),
            "account": "Teams",
            "roles": ["employee"],
            "name": "teams",
            "scopes": ["triage"],
            "days": "30",
        },
    )
    assert refused.status_code == 400


def test_an_anonymous_reports_moments_are_only_days_and_cursors_are_opaque(app, client, world):
    _ids, tokens = world
    reference = _submit(client, tokens["employee"], anonymous=True).get_json()["reference"]
    _submit(client, tokens["employee"])
    card = next(
        c
        for c in client.get("/api/v1/board/columns/nieuw", headers=bearer(tokens["coach"])).get_json()["items"]
        if c["reference"] == reference
    )
    assert "T" not in card["created_at"] and "T" not in card["last_activity_at"]
    own = client.get(f"/api/v1/reports/{reference}", headers=bearer(tokens["employee"])).get_json()
    assert "T" in own["created_at"]  # the reporter knows the moment
    page = client.get("/api/v1/board/columns/nieuw?limit=1", headers=bearer(tokens["coach"])).get_json()
    import base64

    raw = base64.urlsafe_b64decode(page["next_cursor"] + "==")
    assert b"board" not in raw and b"nieuw" not in raw  # encrypted, not only encoded
