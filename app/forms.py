"""Shared form plumbing: Dutch validation messages, a strict 'required' check, and the one
place where invisible control characters are taken out of everything a form receives."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.base import INT_MAX
from app.services.users import EMAIL_RE

CHOICE_FIELDS = {"SelectField", "RadioField", "SelectMultipleField", "CheckboxList"}
CHOICE_MESSAGE = _l("Kies een van de mogelijkheden in de lijst.")
TOO_LONG = _l("Gebruik maximaal %(max)d tekens.")
CONTROL_CHARACTERS = _l(
    "Dit veld bevatte onzichtbare stuurtekens. Die zijn verwijderd; controleer de tekst en verstuur opnieuw."
)
# A hidden field has no place on the page to say this next to.
CONTROL_CHARACTERS_HIDDEN = _l(
    "Het formulier bevatte onzichtbare stuurtekens. Die zijn verwijderd; controleer de tekst en verstuur opnieuw."
)

# Never part of a text: control characters (Unicode category Cc; PostgreSQL refuses NUL
# outright), lone surrogates, and the noncharacters U+FDD0..U+FDEF and U+xFFFE/U+xFFFF.
_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
_FORBIDDEN_ON_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS + "]")
# A text area keeps its lines and tabs; a carriage return is only how the browser sent a newline.
_FORBIDDEN_IN_TEXT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff" + _NONCHARACTERS + "]")


def strip_control_characters(value: str, *, multiline: bool) -> str:
    """`value` without what may never be stored; in a text area CR LF and CR become LF."""
    if multiline:
        return _FORBIDDEN_IN_TEXT.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return _FORBIDDEN_ON_ONE_LINE.sub("", value)


def max_length(field) -> int | None:
    """The maximum a field's Length validator allows (for the page's maxlength hints)."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
    return min(limits) if limits else None


class BaseForm(FlaskForm):
    """Every form derives from this. Whatever the request sent, a text field's data never
    holds a control character: they are taken out right after WTForms reads the request,
    and validation then fails with a message, so nothing is saved and the form comes back
    with the cleaned text for the user to check."""

    class Meta:
        # WTForms ships Dutch messages ("Ongeldige keuze", ...) and English ones as its own
        # text: the reader's language (app.i18n) picks.
        locales = ["nl_NL", "nl"]

        def get_translations(self, form):
            from wtforms.i18n import get_translations

            from app.i18n import current_language

            return get_translations(self.locales) if current_language() == "nl" else None

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        self._control_characters: set[str] = set()
        for field in self:
            # Only what came with this request (raw_data), never values from the database.
            if field.type == "CSRFTokenField" or not field.raw_data or not isinstance(field.data, str):
                continue
            multiline = isinstance(field, TextAreaField)
            cleaned = strip_control_characters(field.data, multiline=multiline)
            normalised = field.data.replace("\r\n", "\n").replace("\r", "\n") if multiline else field.data
            if cleaned != normalised:
                self._control_characters.add(field.name)
            if cleaned != field.data:
                field.data = cleaned
                field.raw_data = [cleaned]

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            # WTForms' own text for an unknown choice ("Ongeldige keuze") does not say what to do.
            if field.type in CHOICE_FIELDS:
                field.errors = [CHOICE_MESSAGE if "keuze" in message.lower() else message for message in field.errors]
            if field.name in self._control_characters:
                if isinstance(field, HiddenField):
                    if CONTROL_CHARACTERS_HIDDEN not in self.form_errors:
                        self.form_errors.append(CONTROL_CHARACTERS_HIDDEN)
                elif CONTROL_CHARACTERS not in field.errors:
                    # After the field's own errors: "fill this in" says more about a field
                    # that held nothing but a NUL.
                    field.errors = [*field.errors, CONTROL_CHARACTERS]
        return valid and not self._control_characters


def parse_id(value) -> int | None:
    """A positive whole number as a query string or form sends it (an id, a version), or
    None for anything else: never an error, and never more than an Integer column holds."""
    value = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
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
