"""What a signed-in user must do before anything else, decided in one place: a hook
before every request sends them there, whatever page they ask for."""

from __future__ import annotations

from flask import Flask, flash, redirect, request, url_for
from flask_login import current_user

# Always reachable: logging out, and what every page loads.
OPEN_ENDPOINTS = frozenset({"auth.logout", "static", "main.favicon"})


def pending_step(user) -> tuple[str, str] | None:
    """The page `user` must visit first (an endpoint) and why; None when nothing is pending."""
    if user.must_choose_password:
        return (
            "auth.change_password",
            "Kies eerst uw eigen wachtwoord. Het wachtwoord waarmee u inlogde, was tijdelijk.",
        )
    return None


def register(app: Flask) -> None:
    @app.before_request
    def account_gate():
        if request.endpoint in OPEN_ENDPOINTS or not current_user.is_authenticated:
            return None
        step = pending_step(current_user)
        if step is None or request.endpoint == step[0]:
            return None
        if request.method == "GET":
            flash(step[1], "info")
        return redirect(url_for(step[0]), code=303)
