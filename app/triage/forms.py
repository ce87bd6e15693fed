"""Forms of the weekly session: who is present, and one small form per action on an item."""
from __future__ import annotations

from wtforms import HiddenField, RadioField, SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.forms import BaseForm, Required
from app.services import workflow
from app.services.reports import TEXT_MAX

TOO_LONG = "Gebruik maximaal %(max)d tekens."

OUTCOME_LABELS = {
    workflow.RESOLVED: "Opgelost: de gemeente past haar eigen regel of werkwijze aan",
    workflow.ESCALATED: "Landelijk agenderen: de regel is landelijke wetgeving (Juridische Zaken volgt het)",
    workflow.EXPLAINED: "Uitleggen: de regel blijft, de melder krijgt uitleg waarom",
}


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        # An unknown choice, not a server error: validate_choice reports it.
        return -1


def version_of(form) -> int | None:
    """The report version the page was loaded at, or None when the form did not carry one."""
    try:
        return int(form.version.data)
    except (TypeError, ValueError):
        return None


class CheckboxList(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class _CoachChoices:
    def set_coaches(self, field, coaches, *, empty: str | None = None) -> None:
        choices = [SelectChoice(coach.id, coach.name) for coach in coaches]
        field.choices = ([SelectChoice(None, empty)] if empty else []) + choices


class AttendeesForm(BaseForm, _CoachChoices):
    attendees = CheckboxList(
        "Wie zijn er aanwezig?",
        coerce=int,
        description="Wie het overleg start of de lijst aanpast, staat er zelf altijd op.",
    )

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_coaches(self.attendees, coaches)


class StartForm(AttendeesForm):
    pass


class _ItemForm(BaseForm):
    version = HiddenField()


class TakeOnForm(_ItemForm):
    pass


class SkipForm(_ItemForm):
    pass


class AssignForm(_ItemForm, _CoachChoices):
    assignee_id = SelectField(
        "Wie gaat erachteraan?",
        coerce=_optional_int,
        validators=[Required("Kies wie erachteraan gaat.")],
    )

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_coaches(self.assignee_id, coaches, empty="Kies een ontregelcoach")


class DecideForm(_ItemForm):
    outcome = RadioField(
        "Besluit",
        choices=[SelectChoice(value, label) for value, label in OUTCOME_LABELS.items()],
        validators=[Required("Kies een besluit.")],
    )
    explanation = TextAreaField(
        "Uitleg voor de melder",
        description="Wat is er besloten en waarom? De melder en wie de melding steunt, lezen dit.",
        validators=[Required("Schrijf voor de melder op wat er besloten is en waarom."), Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    what_changed = TextAreaField(
        "Wat is er veranderd?",
        description="Bijvoorbeeld: het formulier vraagt geen kopie meer. Dit staat ook op ‘Wat we ontregelden’.",
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    # Escalating needs the law it is about; reports about the same article share a dossier.
    law_title = StringField(
        "Wet of regeling",
        description="Bijvoorbeeld: Participatiewet.",
        validators=[Length(max=300, message=TOO_LONG)],
    )
    article = StringField(
        "Artikel",
        description="Bijvoorbeeld: art. 31, tweede lid.",
        validators=[Length(max=100, message=TOO_LONG)],
    )
    bwb_id = StringField(
        "BWB-id",
        description="Het nummer van de wet op wetten.overheid.nl, bijvoorbeeld BWBR0015703.",
        validators=[Length(max=20, message=TOO_LONG)],
    )

    def validate_what_changed(self, field) -> None:
        if self.outcome.data == workflow.RESOLVED and not (field.data or "").strip():
            raise ValidationError("Beschrijf wat er veranderd is.")

    def validate_law_title(self, field) -> None:
        if self.outcome.data == workflow.ESCALATED and not (field.data or "").strip():
            raise ValidationError("Vul in om welke wet of regeling het gaat, bijvoorbeeld: Participatiewet.")


class MergeForm(_ItemForm):
    target = StringField(
        "Nummer van de eerdere melding",
        description="Bijvoorbeeld RK-2026-0003. Wie deze melding deed of steunde, volgt daarna die melding.",
        validators=[Required("Vul het nummer in van de melding waarmee deze samengaat."), Length(max=30, message=TOO_LONG)],
    )
    explanation = TextAreaField(
        "Uitleg voor de melder",
        description="Waarom gaan deze meldingen samen?",
        validators=[Required("Schrijf voor de melder op waarom deze meldingen samengaan."), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


class EndForm(BaseForm):
    pass
