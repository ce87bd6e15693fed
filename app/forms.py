"""Shared form plumbing: Dutch validation messages and a strict 'required' check."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.base import INT_MAX
from app.services.users import EMAIL_RE

CHOICE_FIELDS = {"SelectField", "RadioField", "SelectMultipleField", "CheckboxList"}
CHOICE_MESSAGE = "Kies een van de mogelijkheden in de lijst."
TOO_LONG = "Gebruik maximaal %(max)d tekens."


def max_length(field) -> int | None:
    """The maximum a field's Length validator allows (for the page's maxlength hints)."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
    return min(limits) if limits else None


class BaseForm(FlaskForm):
    class Meta:
        # WTForms ships Dutch messages ("Ongeldige keuze", ...); Flask-WTF's own i18n
        # hook needs Flask-Babel, which we do not use.
        locales = ["nl_NL", "nl"]

        def get_translations(self, form):
            from wtforms.i18n import get_translations

            return get_translations(self.locales)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # WTForms' own text for an unknown choice ("Ongeldige keuze") does not say what to do.
        for field in self:
            if field.type in CHOICE_FIELDS:
                field.errors = [CHOICE_MESSAGE if "keuze" in message.lower() else message for message in field.errors]
        return valid


def parse_id(value) -> int | None:
    """A positive whole number as a query string or form sends it (an id, a version), or
    None for anything else: never an error, and never more than an Integer column holds."""
    value = value.strip() if isinstance(value, str) else ""
    if not re.fullmatch(f"[0-9]{{1,{len(str(INT_MAX))}}}", value):
        return None
    number = int(value)
    return number if 1 <= number <= INT_MAX else None


def parse_version(value) -> int | None:
    """The version a form was loaded at; None when it is missing or not a number."""
    return parse_id(value)


class CheckboxList(SelectMultipleField):
    """Several choices as a list of checkboxes (roles, coaches present)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class VersionedForm(BaseForm):
    """A change made against the version of the object the user saw (QUALITY.md 8)."""

    # The digits of a version (never more than an Integer column holds).
    version = HiddenField(validators=[Length(max=len(str(INT_MAX)), message=TOO_LONG)])

    @property
    def expected_version(self) -> int | None:
        return parse_version(self.version.data)


class Required:
    """Required, and whitespace alone does not count."""

    field_flags = {"required": True}

    def __init__(self, message: str):
        self.message = message

    def __call__(self, form, field):
        if field.raw_data is not None:
            # Submitted: what counts is what was sent, not a value kept from the object
            # being edited (WTForms keeps that when the field is absent from the post).
            missing = not any(isinstance(value, str) and value.strip() for value in field.raw_data)
        else:
            missing = field.data is None or (isinstance(field.data, str) and not field.data.strip())
        if missing:
            field.errors[:] = []
            raise StopValidation(self.message)


class EmailAddress:
    def __init__(self, message: str = "Vul een geldig e-mailadres in, zoals naam@gemeente.nl."):
        self.message = message

    def __call__(self, form, field):
        if field.data and not EMAIL_RE.match(field.data.strip()):
            raise ValidationError(self.message)


def apply_domain_error(form, error) -> None:
    """Show a DomainError next to its field (or at the form's top)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*list(field.errors), error.message]
    else:
        form.form_errors.append(error.message)
