"""What every page that changes something shares: the one way a form becomes a change
(validate -> service -> commit or roll back -> redirect or render), and the marker for
views that show their form again after an expired CSRF token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import flash, g, redirect
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.forms import VersionedForm, apply_domain_error
from app.services import ConflictError, DomainError

STALE_FORM = _l(
    "Dit formulier was niet compleet of verouderd. Er is niets gewijzigd; probeer het opnieuw vanaf de actuele pagina."
)


def rerender_on_csrf_error(view):
    """Mark a view that validates its own form: on a CSRF failure it is called again and
    shows the form with what the user typed and a message, instead of a bare 400."""
    view.rerender_on_csrf_error = True
    return view


@dataclass
class Failure:
    """Why a form came back: 400 (the form says what to fix) or 409 (`conflict` says what
    someone else changed first; what the user typed is still in the form)."""

    form: object
    status: int
    conflict: str | None = None


class FormsPage:
    """A page with several forms, one of which (`submitted`) may have come back from
    run_form with its messages or a `conflict`. Subclasses set ANCHORS: form -> anchor."""

    ANCHORS: dict[str, str] = {}

    @property
    def anchor(self) -> str | None:
        """Where the form that was sent sits on the page."""
        return self.ANCHORS[self.submitted] if self.submitted else None

    @property
    def has_errors(self) -> bool:
        if self.submitted is None:
            return False
        form = self.forms[self.submitted]
        return bool(self.conflict or form.errors or form.form_errors or g.get("csrf_error"))


def csrf_failed(form) -> bool:
    token = getattr(form, "csrf_token", None)
    return bool(g.get("csrf_error") or (token is not None and token.errors))


def run_form(
    form,
    perform: Callable[[], str | tuple[str, str] | None],
    *,
    success: str,
    redirect_to: str | Callable[[], str],
    render: Callable[[Failure], object],
    current_version: int | None = None,
    conflict: Callable[[], ConflictError] | None = None,
    escapes: dict[type[Exception], Callable[[Exception], object]] | None = None,
):
    """Validate `form`; run `perform` (a service call, which may return a message to show
    instead of `success`, or a (message, flash category) pair); commit; flash and redirect
    with 303. Anything else rolls back
    and shows the form again through `render`, with what the user typed:

    * an expired CSRF token, invalid input or a DomainError -> 400, messages at the fields;
    * a versioned form without its version (an old page, a crafted request) -> 400;
    * a versioned form loaded at another version than `current_version`, a ConflictError
      from the service, or a write that lost a race (StaleDataError) -> 409 with what
      changed (`conflict` builds that message for the last two cases).

    `escapes` maps an exception type to its own response (e.g. a closed weekly session
    sends the coach to the minutes)."""
    valid = form.validate_on_submit()
    if csrf_failed(form):
        return render(Failure(form, 400))
    if isinstance(form, VersionedForm):
        if form.expected_version is None:
            form.form_errors.append(STALE_FORM)
            return render(Failure(form, 400))
        if current_version is not None and form.expected_version != current_version and conflict is not None:
            return render(Failure(form, 409, conflict().message))
    if not valid:
        return render(Failure(form, 400))
    try:
        message = perform()
        db.session.commit()
    except StaleDataError:
        # Changed by someone else between the service's check and our write (several workers).
        db.session.rollback()
        if conflict is None:
            raise
        return render(Failure(form, 409, conflict().message))
    except DomainError as error:
        db.session.rollback()
        for kind, respond in (escapes or {}).items():
            if isinstance(error, kind):
                return respond(error)
        if isinstance(error, ConflictError):
            return render(Failure(form, 409, error.message))
        apply_domain_error(form, error)
        return render(Failure(form, 400))
    message, category = message if isinstance(message, tuple) else (message or success, "success")
    flash(message, category)
    return redirect(redirect_to() if callable(redirect_to) else redirect_to, 303)
