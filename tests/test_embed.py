"""The red button anywhere (issue 11, part 5): /knop may be framed by the origins in
EMBED_ORIGINS only, every other page by nobody; its link opens the report form in a new
window, with the department a button chose (?afdeling=), and an unknown value is ignored."""

from __future__ import annotations

import re

import pytest

from app import create_app
from app.embed import check_origins
from app.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_department, make_user
from tests.test_security_headers import _csp, assert_security_headers

INTRANET = "https://intranet.gemeente.example"


@pytest.fixture
def departments(app):
    with app.app_context():
        burgerzaken = make_department("Burgerzaken")
        make_department("Werk en Inkomen")
        closed = make_department("Opgeheven Afdeling")
        closed.active = False
        make_user("Eva Medewerker", email="eva@example.test")
        db.session.commit()
        return {"burgerzaken": burgerzaken.id, "closed": closed.id}


def test_only_the_configured_origins_may_frame_the_button_and_only_the_button(app, client, auth, departments):
    app.config["EMBED_ORIGINS"] = (INTRANET, "http://127.0.0.1:8080")
    button = client.get("/knop")
    assert button.status_code == 200
    csp = _csp(button)
    assert csp["frame-ancestors"] == [INTRANET, "http://127.0.0.1:8080"]
    assert "X-Frame-Options" not in button.headers
    # Everything else about the policy is as strict as on every page.
    assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    auth.login("eva@example.test")
    for path in ("/", "/melden", "/inloggen", "/toegankelijkheid", "/bestaat-niet"):
        response = client.get(path)
        assert_security_headers(response, logged_in=path != "/inloggen", what=path)
        assert response.headers["X-Frame-Options"] == "DENY", path
    assert _csp(client.get("/knop"))["frame-ancestors"] == [INTRANET, "http://127.0.0.1:8080"]


def test_without_embed_origins_nobody_may_frame_the_button(app, client):
    button = client.get("/knop")
    assert button.status_code == 200
    assert _csp(button)["frame-ancestors"] == ["'none'"]
    assert button.headers["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "origins",
    ["*", "https://*.gemeente.example", "https://intranet.gemeente.example/pagina", "intranet.gemeente.example"],
)
def test_a_wildcard_or_a_path_in_embed_origins_refuses_to_start(origins):
    with pytest.raises(RuntimeError, match="EMBED_ORIGINS"):
        check_origins({"EMBED_ORIGINS": (origins,)})


def test_embed_origins_is_read_from_the_environment(monkeypatch, database_url):
    monkeypatch.setenv("EMBED_ORIGINS", f"{INTRANET}, http://127.0.0.1:8080")
    import importlib

    import config

    importlib.reload(config)
    try:
        assert config.TestConfig.EMBED_ORIGINS == (INTRANET, "http://127.0.0.1:8080")
        monkeypatch.setenv("EMBED_ORIGINS", "*")
        importlib.reload(config)

        class Wild(config.TestConfig):
            SQLALCHEMY_DATABASE_URI = database_url

        with pytest.raises(RuntimeError, match="EMBED_ORIGINS"):
            create_app(Wild)
    finally:
        monkeypatch.delenv("EMBED_ORIGINS")
        importlib.reload(config)


def _link(page: str) -> tuple[str, str]:
    match = re.search(r'<a class="rk-red-button" href="([^"]+)" target="([^"]+)" rel="noopener">', page)
    assert match, page
    return match.group(1).replace("&amp;", "&"), match.group(2)


def test_the_button_opens_the_form_in_a_new_window_with_the_chosen_department(app, client, departments):
    href, target = _link(client.get(f"/knop?afdeling={departments['burgerzaken']}").get_data(as_text=True))
    assert (href, target) == (f"/melden?afdeling={departments['burgerzaken']}", "_blank")
    # By name too, in any case; unknown or inactive departments are left out, without an error.
    assert _link(client.get("/knop?afdeling=burgerzaken").get_data(as_text=True))[0] == href
    for value in ("9999", "Geen Afdeling", departments["closed"], "<script>", "1" * 40):
        response = client.get("/knop", query_string={"afdeling": value})
        assert response.status_code == 200
        assert _link(response.get_data(as_text=True))[0] == "/melden"


def _chosen(page: str) -> str | None:
    select = re.search(r'<select[^>]*name="department_id".*?</select>', page, re.S).group(0)
    match = re.search(r'<option selected value="([^"]*)"|<option value="([^"]*)" selected', select)
    return (match.group(1) or match.group(2)) if match else None


def test_the_report_form_shows_the_department_a_button_chose(app, client, auth, departments):
    auth.login("eva@example.test")
    burgerzaken = str(departments["burgerzaken"])
    for value in (burgerzaken, "Burgerzaken", "  burgerZAKEN "):
        response = client.get("/melden", query_string={"afdeling": value})
        assert response.status_code == 200
        assert _chosen(response.get_data(as_text=True)) == burgerzaken, value
    for value in ("9999", str(departments["closed"]), "x" * 5000, "\x00"):
        response = client.get("/melden", query_string={"afdeling": value})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert _chosen(page) in (None, "None", ""), value
        assert "rk-error-summary" not in page


def test_a_visitor_who_is_not_logged_in_comes_back_to_the_form_with_the_department(app, client, auth, departments):
    response = client.get(f"/melden?afdeling={departments['burgerzaken']}")
    assert response.status_code == 302 and "/inloggen" in response.headers["Location"]
    token = csrf_token(client, response.headers["Location"])
    logged_in = client.post(
        response.headers["Location"], data={"email": "eva@example.test", "password": PASSWORD, "csrf_token": token}
    )
    assert logged_in.status_code == 302
    assert logged_in.headers["Location"].endswith(f"/melden?afdeling={departments['burgerzaken']}")
