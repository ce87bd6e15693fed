"""Small helpers shared by the blueprints."""

from __future__ import annotations


def rerender_on_csrf_error(view):
    """Mark a view that validates its own form: on a CSRF failure it is called again and
    shows the form with what the user typed and a message, instead of a bare 400."""
    view.rerender_on_csrf_error = True
    return view
