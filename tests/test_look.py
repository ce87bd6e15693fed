"""The municipality's own look (app.look): name, logo and theme from the configuration,
checked at start-up with a clear message; the logo served so that script in it cannot run;
every shipped theme vendored with its licence and usable by the app's own CSS."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from app.extensions import db
from app.look import THEMES, LookError, read_look
from app.models import OutboxMessage
from app.services.workflow import assign_report
from tests.factories import LOGO, SCRIPTED_LOGO, TOKENS, looking, make_report, make_user, write

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "app" / "static"


def _config(**settings) -> dict:
    return {"MUNICIPALITY_NAME": "Gemeente Voorbeeldstad", "THEME": "voorbeeld", **settings}


# --- Settings checked at start-up ------------------------------------------------------


def test_the_default_look_is_the_open_example_theme_without_a_logo():
    chosen = read_look(_config())
    assert chosen.theme is THEMES["voorbeeld"] and chosen.theme_class == "voorbeeld-theme"
    assert chosen.logo is None and chosen.local_tokens is None
    assert read_look(_config(THEME="")).theme is THEMES["voorbeeld"]
    assert read_look(_config(THEME=" DenHaag ")).theme_class == "denhaag-theme"
    assert read_look(_config(MUNICIPALITY_NAME="  Gemeente   Súdwest-Fryslân ")).municipality == (
        "Gemeente Súdwest-Fryslân"
    )


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"THEME": "rotterdam"}, "THEME 'rotterdam' is not a shipped theme; choose one of: denhaag, voorbeeld"),
        ({"MUNICIPALITY_NAME": "  "}, "MUNICIPALITY_NAME is empty"),
        ({"MUNICIPALITY_LOGO": "/nergens/logo.svg"}, "MUNICIPALITY_LOGO: no such file: /nergens/logo.svg"),
        ({"THEME_CSS": "/nergens/tokens.css", "THEME_CLASS": "gemeente-theme"}, "THEME_CSS: no such file"),
        ({"THEME_CSS": "/nergens/tokens.css"}, "THEME_CSS needs THEME_CLASS"),
        ({"THEME_CSS": "/nergens/tokens.css", "THEME_CLASS": "x; color: red"}, "THEME_CLASS 'x; color: red' is not"),
    ],
)
def test_a_wrong_setting_refuses_to_start_and_says_which(settings, message):
    with pytest.raises(LookError) as refused:
        read_look(_config(**settings))
    assert message in str(refused.value)


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("logo.png", LOGO, "must be an SVG file (*.svg)"),
        ("logo.svg", "<html><body>geen svg</body></html>", "is not an SVG image"),
        ("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "is not a valid SVG file"),
        ("logo.svg", "\x89PNG\r\n", "is not a valid SVG file"),
        ("logo.svg", "<svg>" + "<g/>" * 70_000 + "</svg>", "is larger than 256 KB"),
    ],
)
def test_a_logo_that_is_no_svg_refuses_to_start(tmp_path, name, text, message):
    with pytest.raises(LookError) as refused:
        read_look(_config(MUNICIPALITY_LOGO=write(tmp_path, name, text)))
    assert message in str(refused.value)


def test_an_svg_with_entity_expansion_is_refused(tmp_path):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in zip("abcdefgh", "bcdefghi", strict=True))
        + ']><svg xmlns="http://www.w3.org/2000/svg"><text>&i;</text></svg>'
    )
    with pytest.raises(LookError, match="declares XML entities"):
        read_look(_config(MUNICIPALITY_LOGO=write(tmp_path, "bom.svg", bomb)))


@pytest.mark.parametrize(
    "text, css_class, message",
    [
        (TOKENS, "andere-theme", "defines no tokens on .andere-theme"),
        (TOKENS.replace(".gemeente-theme", ".gemeente-theme-donker"), "gemeente-theme", "defines no tokens"),
        ('@import "https://cdn.example/tokens.css";\n' + TOKENS, "gemeente-theme", "loads something from elsewhere"),
        (TOKENS + '.gemeente-theme { --x: url("//cdn.example/font.woff"); }', "gemeente-theme", "from elsewhere"),
    ],
)
def test_a_local_tokens_file_must_define_its_class_and_load_nothing_from_elsewhere(tmp_path, text, css_class, message):
    with pytest.raises(LookError, match=re.escape(message)):
        read_look(_config(THEME_CSS=write(tmp_path, "tokens.css", text), THEME_CLASS=css_class))


def test_the_app_refuses_to_start_with_a_clear_message(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"THEME", "THEME_CSS", "THEME_CLASS", "MUNICIPALITY_LOGO"}}
    env.update(RODEKNOP_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}", THEME="amsterdam")
    result = subprocess.run(
        [sys.executable, "-c", "from app import create_app; create_app(); print('started')"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "started" not in result.stdout
    assert "LookError: THEME 'amsterdam' is not a shipped theme" in result.stderr


# --- Pages, /knop and mails -------------------------------------------------------------


def test_every_page_follows_the_theme_and_names_the_municipality(app, client, tmp_path):
    page = client.get("/inloggen").get_data(as_text=True)
    assert '<html lang="nl" class="voorbeeld-theme">' in page
    assert "<title>Inloggen – Rode Knop – Gemeente Voorbeeldstad</title>" in page
    assert '<link rel="stylesheet" href="/static/vendor/utrecht/voorbeeld-theme.css">' in page
    assert "rk-brand__logo" not in page and "themes/" not in page
    assert client.get("/logo.svg").status_code == 404 and client.get("/thema.css").status_code == 404

    with looking(app, THEME="denhaag", MUNICIPALITY_NAME="Gemeente Den Haag"):
        for path in ("/inloggen", "/knop"):
            page = client.get(path).get_data(as_text=True)
            assert '<html lang="nl" class="denhaag-theme">' in page
            sheets = re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)
            assert sheets == [
                "/static/vendor/gemeente-denhaag/design-tokens-theme.css",
                "/static/vendor/utrecht/component-library.css",
                "/static/css/app.css",
                "/static/css/themes/denhaag.css",
            ], path
            assert "Rode Knop – Gemeente Den Haag</title>" in page
            assert "voorbeeld" not in page
        assert "Rode Knop van Gemeente Den Haag" in client.get("/knop").get_data(as_text=True)

    tokens = write(tmp_path, "tokens.css", TOKENS)
    with looking(app, THEME_CSS=tokens, THEME_CLASS=".gemeente-theme"):
        page = client.get("/inloggen").get_data(as_text=True)
        assert '<html lang="nl" class="gemeente-theme">' in page
        assert re.findall(r'<link rel="stylesheet" href="([^"]+)">', page)[0] == "/thema.css"
        served = client.get("/thema.css")
        assert served.status_code == 200 and served.data == TOKENS.encode()
        assert served.headers["Content-Type"] == "text/css; charset=utf-8"
        assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_the_logo_is_served_as_an_image_that_may_run_no_script(app, client, tmp_path):
    with looking(app, MUNICIPALITY_LOGO=write(tmp_path, "logo.svg", SCRIPTED_LOGO)):
        served = client.get("/logo.svg")
        assert served.status_code == 200 and served.data == SCRIPTED_LOGO.encode()
        assert served.headers["Content-Type"] == "image/svg+xml"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
        # Only through <img> on the pages: an <img> runs no script (tests/browser/test_look.py).
        page = client.get("/inloggen").get_data(as_text=True)
        assert '<img class="rk-brand__logo" src="/logo.svg" alt="">' in page
        assert "<object" not in page and "<embed" not in page and "<iframe" not in page
        # Every other page keeps its own policy.
        assert "script-src 'self'" in client.get("/inloggen").headers["Content-Security-Policy"]


def test_a_mail_is_signed_with_name_and_logo(app, tmp_path):
    logo = write(tmp_path, "logo.svg", LOGO)
    with looking(app, MUNICIPALITY_LOGO=logo, MUNICIPALITY_NAME="Gemeente Zuidhorn"), app.app_context():
        reporter = make_user("Sanne Melder", email="sanne@example.test")
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        lead = make_user("Lea Coach", email="lea@example.test", roles=("employee", "coach"))
        assign_report(make_report(reporter), coach, actor=lead)
        db.session.commit()
        mail = db.session.execute(db.select(OutboxMessage).filter_by(to_address="eva@example.test")).scalar_one()
        assert "Rode Knop – Gemeente Zuidhorn" in mail.body_text
        base = app.config["APP_BASE_URL"]
        assert f'<img src="{base}/logo.svg" alt="" height="40"' in mail.body_html
        assert "Rode Knop – Gemeente Zuidhorn</p>" in mail.body_html


# --- Shipped themes ---------------------------------------------------------------------


def _custom_properties(css: str) -> tuple[set[str], list[tuple[str, bool]]]:
    """(properties defined, [(property read, with a fallback)]) in `css`."""
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    defined = set(re.findall(r"(--[\w-]+)\s*:", css))
    used = [(name, sep == ",") for name, sep in re.findall(r"var\(\s*(--[\w-]+)\s*([,)])", css)]
    return defined, used


def test_every_token_the_app_reads_has_a_value_whatever_the_theme_leaves_out():
    """A theme (or a local tokens file) defines some tokens, not all: app.css gives every
    token it reads a value itself, or a fallback in the var(), so no rule loses its colour
    or size under another theme. The bridges may read only their theme's tokens with a
    fallback, or app.css's own."""
    app_css = (STATIC / "css" / "app.css").read_text(encoding="utf-8")
    defined, used = _custom_properties(app_css)
    assert len(used) > 100
    assert [name for name, fallback in used if not fallback and name not in defined] == []
    for theme in THEMES.values():
        if theme.bridge:
            bridge_defined, bridge_used = _custom_properties((STATIC / theme.bridge).read_text(encoding="utf-8"))
            unfounded = [name for name, fallback in bridge_used if not fallback and name not in defined]
            assert unfounded == [], theme.name
            assert bridge_defined, theme.name


def test_every_shipped_theme_is_vendored_with_its_licence_and_loads_nothing_from_elsewhere():
    readme = (STATIC / "vendor" / "README.md").read_text(encoding="utf-8")
    for theme in THEMES.values():
        tokens = STATIC / theme.tokens
        css = tokens.read_text(encoding="utf-8")
        assert f".{theme.css_class} {{" in css, theme.name
        assert "@import" not in css and "@font-face" not in css
        assert re.findall(r"url\((?![\"']data:)", css) == [], theme.name
        licences = sorted(tokens.parent.glob("LICENSE*"))
        assert licences, f"{theme.name}: no licence file beside {theme.tokens}"
        assert "EUPL" in licences[0].read_text(encoding="utf-8")
        assert f"`{theme.tokens.removeprefix('vendor/')}`" in readme, theme.name
