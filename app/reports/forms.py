"""The red-button form and the 'ik loop hier ook tegenaan' form."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, Required
from app.models.report import ORIGIN_LABELS, Origin
from app.services.reports import NOTE_MAX, RULE_MAX, TEXT_MAX


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ReportForm(BaseForm):
    rule = StringField(
        "Welke regel loopt u tegenaan?",
        description="Een korte omschrijving, bijvoorbeeld: Vergunning nodig voor een dakkapel aan de achterkant.",
        validators=[Required("Vul in welke regel u tegenaan loopt."), Length(max=RULE_MAX, message=TOO_LONG)],
    )
    problem = TextAreaField(
        "Wat gaat er mis?",
        description="Wat gebeurt er als u deze regel volgt, en waarom is dat niet goed?",
        validators=[Required("Beschrijf wat er misgaat."), Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    effect = TextAreaField(
        "Wat betekent dit voor de inwoner of ondernemer?",
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    suggestion = TextAreaField(
        "Heeft u een idee hoe het beter kan?",
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    origin = RadioField(
        "Waar komt de regel vandaan?",
        choices=[SelectChoice(origin.value, ORIGIN_LABELS[origin]) for origin in Origin],
        default=Origin.UNKNOWN.value,
    )
    department_id = SelectField("Afdeling", coerce=_optional_int, validate_choice=True)
    anonymous = BooleanField("Anoniem melden")
    submission_key = HiddenField()
    similar_seen = HiddenField()

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department_id.choices = [SelectChoice(None, "Geen afdeling / weet ik niet")] + [
            SelectChoice(department.id, department.name) for department in departments
        ]


class SupportForm(BaseForm):
    note = TextAreaField(
        "Toelichting",
        description="Bijvoorbeeld waar u er tegenaan liep.",
        validators=[Length(max=NOTE_MAX, message=TOO_LONG)],
    )
