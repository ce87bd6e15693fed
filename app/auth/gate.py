"""What a signed-in user must do before anything else, decided in one place: a hook
before every request sends them there, whatever page they ask for."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext
from flask_login import current_user

from app.services.mfa import LOGIN_METHOD_KEY, must_set_up

# Always reachable: logging out, what every page loads, the accessibility statement
# (public by law), and the red button an intranet page frames (it only links to the form).
OPEN_ENDPOINTS = frozenset({"auth.logout", "static", "main.favicon", "main.accessibility", "main.embed"})


def pending_step(user) -> tuple[str, str] | None:
    """The page `user` must visit first (an endpoint) and why; None when nothing is pending."""
    if user.must_choose_password:
        return (
            "auth.change_password",
            gettext("Kies eerst uw eigen wachtwoord. Het wachtwoord waarmee u inlogde, was tijdelijk."),
        )
    if must_set_up(user, session.get(LOGIN_METHOD_KEY)):
        # MFA_REQUIRED_ROLES; a session signed in through single sign-on is exempt.
        return (
            "auth.two_factor",
            gettext(
                "Voor uw rol is de tweestapsverificatie verplicht. Zet hem eerst aan; daarna kunt u verder in Rode Knop."
            ),
        )
    return None


def register(app: Flask) -> None:
    @app.before_request
    def account_gate():
        # The API (app/api) authenticates by token alone; these steps belong to a browser session.
        if request.path.startswith("/api/") or request.endpoint in OPEN_ENDPOINTS or not current_user.is_authenticated:
            return None
        step = pending_step(current_user)
        if step is None or request.endpoint == step[0]:
            return None
        if request.method == "GET":
            flash(step[1], "info")
        return redirect(url_for(step[0]), code=303)
