"""The forms of a report: the red button, 'ik loop hier ook tegenaan', and what coaches
and Juridische Zaken do on the report page.

Every form that changes a report carries the report's `version` as it was when the page
was loaded, so a change made by someone else in the meantime is noticed, never overwritten."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, ValidationError

from app.forms import TOO_LONG, BaseForm, Required, VersionedForm, apply_domain_error
from app.models.dossier import ARTICLE_MAX, BWB_ID_MAX, LAW_TITLE_MAX
from app.models.report import (
    AFFECTED_LABELS,
    NOTE_MAX,
    ORIGIN_LABELS,
    REFERENCE_MAX,
    RULE_MAX,
    SUBMISSION_KEY_MAX,
    TEXT_MAX,
    Affected,
    Origin,
    ReportStatus,
)
from app.services import DomainError
from app.services.impact import estimate_of, read_estimate
from app.services.workflow import DECISIONS
from app.uploads import ACCEPT_ATTRIBUTE  # the picker's hint only: app.uploads decides from the content

# What a number field of an estimate takes (app.services.impact checks the number itself).
NUMBER_MAX = 20


class EstimateFields:
    """The impact estimate (app.services.impact): four optional fields, all filled in or all
    empty. Mixed into a form; after validate() `estimate` holds the Estimate or None."""

    cases_per_month = StringField(
        _l("Hoe vaak per maand loopt iemand ongeveer tegen deze regel aan?"),
        description=_l("Een schatting in hele getallen is genoeg, bijvoorbeeld 40."),
        validators=[Length(max=NUMBER_MAX, message=TOO_LONG)],
    )
    minutes_inhabitant = StringField(
        _l("Hoeveel minuten kost het de inwoner of ondernemer per keer?"),
        description=_l("Bijvoorbeeld extra wachten, formulieren of een tweede bezoek. 0 mag."),
        validators=[Length(max=NUMBER_MAX, message=TOO_LONG)],
    )
    minutes_staff = StringField(
        _l("Hoeveel minuten kost het medewerkers van de gemeente per keer?"),
        description=_l("Extra werk voor u en uw collega’s. 0 mag."),
        validators=[Length(max=NUMBER_MAX, message=TOO_LONG)],
    )
    affected = RadioField(
        _l("Wie heeft er vooral last van?"),
        choices=[SelectChoice(a.value, _l(AFFECTED_LABELS[a])) for a in Affected],
        validate_choice=False,
    )

    estimate = None

    def estimate_applies(self) -> bool:
        return True

    def fill_estimate(self, report) -> None:
        """Prefill the fields with the report's estimate."""
        current = estimate_of(report)
        if current is not None:
            self.cases_per_month.data = str(current.cases_per_month)
            self.minutes_inhabitant.data = str(current.minutes_inhabitant)
            self.minutes_staff.data = str(current.minutes_staff)
            self.affected.data = current.affected

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.estimate_applies():
            return valid
        try:
            self.estimate = read_estimate(
                self.cases_per_month.data, self.minutes_inhabitant.data, self.minutes_staff.data, self.affected.data
            )
        except DomainError as error:
            if not getattr(self, error.field).errors:
                apply_domain_error(self, error)
            return False
        return valid


def attachments_field():
    """The one optional file field (several files) of a form that takes attachments
    (app.services.attachments reads the files from the request)."""
    return MultipleFileField(_l("Bijlagen"), render_kw={"accept": ACCEPT_ATTRIBUTE})


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class ReportForm(EstimateFields, BaseForm):
    rule = StringField(
        _l("Welke regel loopt u tegenaan?"),
        description=_l("Een korte omschrijving, bijvoorbeeld: Vergunning nodig voor een dakkapel aan de achterkant."),
        validators=[Required(_l("Vul in welke regel u tegenaan loopt.")), Length(max=RULE_MAX, message=TOO_LONG)],
    )
    problem = TextAreaField(
        _l("Wat gaat er mis?"),
        description=_l("Wat gebeurt er als u deze regel volgt, en waarom is dat niet goed?"),
        validators=[Required(_l("Beschrijf wat er misgaat.")), Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    effect = TextAreaField(
        _l("Wat betekent dit voor de inwoner of ondernemer?"),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    suggestion = TextAreaField(
        _l("Heeft u een idee hoe het beter kan?"),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    origin = RadioField(
        _l("Waar komt de regel vandaan?"),
        choices=[SelectChoice(origin.value, _l(ORIGIN_LABELS[origin])) for origin in Origin],
        default=Origin.UNKNOWN.value,
    )
    department_id = SelectField(_l("Afdeling"), coerce=_optional_int, validate_choice=True)
    anonymous = BooleanField(_l("Anoniem melden"))
    attachments = attachments_field()
    submission_key = HiddenField(validators=[Length(max=SUBMISSION_KEY_MAX, message=TOO_LONG)])
    # Set by the page's script once similar reports were shown while typing: "1" or empty.
    similar_seen = HiddenField(validators=[Length(max=1, message=TOO_LONG)])

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department_id.choices = [SelectChoice(None, _l("Geen afdeling / weet ik niet"))] + [
            SelectChoice(department.id, department.name) for department in departments
        ]


class SupportForm(BaseForm):
    note = TextAreaField(
        _l("Toelichting"),
        description=_l("Bijvoorbeeld waar u er tegenaan liep."),
        validators=[Length(max=NOTE_MAX, message=TOO_LONG)],
    )
    attachments = attachments_field()
    # The report the user was still typing when a suggestion caught their eye: it comes
    # back with the answer, so nothing typed is lost. Never stored; a longer text than the
    # report form takes is cut to it rather than refused (it is only handed back).
    draft_rule = HiddenField(
        filters=[lambda value: (value or "")[:RULE_MAX]], validators=[Length(max=RULE_MAX, message=TOO_LONG)]
    )
    draft_problem = HiddenField(
        filters=[lambda value: (value or "")[:TEXT_MAX]], validators=[Length(max=TEXT_MAX, message=TOO_LONG)]
    )

    @property
    def has_draft(self) -> bool:
        return bool((self.draft_rule.data or "").strip() or (self.draft_problem.data or "").strip())


# --- what coaches and Juridische Zaken do on the report page ----------------------------

# What each decision means, in the words a coach reads above the radio buttons.
DECISION_LABELS = {
    ReportStatus.RESOLVED.value: _l("Opgelost: de regel of werkwijze is bij ons aangepast"),
    ReportStatus.ESCALATED.value: _l("Geëscaleerd: landelijke regel, op de landelijke agenda gezet"),
    ReportStatus.EXPLAINED.value: _l("Uitgelegd: de regel blijft, de melder krijgt de reden"),
}


class ActionForm(VersionedForm):
    """A change to a report, made against the version the user saw."""


class TakeOnForm(ActionForm):
    """'Ik pak hem op' (also on a board card)."""


class AssignForm(ActionForm):
    assignee_id = SelectField(
        _l("Wie gaat erachteraan?"),
        validators=[Required(_l("Kies een ontregelcoach."))],
        validate_choice=True,
    )

    def __init__(self, *args, coaches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee_id.choices = [SelectChoice("", _l("Kies een ontregelcoach"))] + [
            SelectChoice(str(coach.id), coach.name) for coach in coaches
        ]


class EstimateForm(EstimateFields, VersionedForm):
    """The reporter (while the report is open) or a coach gives or changes the estimate."""


class DecideForm(EstimateFields, ActionForm):
    """Solving a report confirms its impact estimate (prefilled, editable: the estimate
    fields count only for 'opgelost')."""

    outcome = RadioField(
        _l("Besluit"),
        choices=[SelectChoice(value, DECISION_LABELS[value]) for value in DECISIONS],
        validators=[Required(_l("Kies een besluit."))],
    )
    explanation = TextAreaField(
        _l("Uitleg voor de melder"),
        description=_l(
            "Wat is er besloten en waarom? De melder en iedereen die de melding steunt, lezen dit en krijgen het per e-mail."
        ),
        validators=[
            Required(_l("Schrijf voor de melder op wat er besloten is en waarom.")),
            Length(max=TEXT_MAX, message=TOO_LONG),
        ],
    )
    what_changed = TextAreaField(
        _l("Wat is er veranderd?"),
        description=_l("Verplicht bij ‘opgelost’. Dit staat ook op de pagina ‘Wat we ontregelden’."),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )

    # Escalating needs the law it is about; reports about the same article share a dossier.
    law_title = StringField(
        _l("Wet of regeling"),
        description=_l("Verplicht bij ‘geëscaleerd’. Bijvoorbeeld: Participatiewet."),
        validators=[Length(max=LAW_TITLE_MAX, message=TOO_LONG)],
    )
    article = StringField(
        _l("Artikel"),
        description=_l("Bijvoorbeeld: art. 31, tweede lid."),
        validators=[Length(max=ARTICLE_MAX, message=TOO_LONG)],
    )
    bwb_id = StringField(
        _l("BWB-id"),
        description=_l("Het nummer van de wet op wetten.overheid.nl, bijvoorbeeld BWBR0015703."),
        validators=[Length(max=BWB_ID_MAX, message=TOO_LONG)],
    )

    text_public = BooleanField(
        _l("De tekst van deze melding mag openbaar"),
        description=_l(
            "Alleen als er geen namen of andere persoonsgegevens in staan. Dan komen de regel, wat er misging, "
            "het besluit en wat er veranderde in de open data van de gemeente."
        ),
    )

    def estimate_applies(self) -> bool:
        return self.outcome.data == ReportStatus.RESOLVED.value

    def validate_law_title(self, field) -> None:
        if self.outcome.data == ReportStatus.ESCALATED.value and not (field.data or "").strip():
            raise ValidationError(_l("Vul in om welke wet of regeling het gaat, bijvoorbeeld: Participatiewet."))

    def validate_what_changed(self, field) -> None:
        if self.outcome.data == ReportStatus.RESOLVED.value and not (field.data or "").strip():
            raise ValidationError(_l("Beschrijf wat er veranderd is."))


class MergeForm(ActionForm):
    target = StringField(
        _l("Nummer van de melding waarmee deze samengaat"),
        description=_l("Bijvoorbeeld RK-2026-0012. Zoek hierboven als u het nummer niet weet."),
        validators=[
            Required(_l("Vul het nummer in van de melding waarmee deze samengaat.")),
            Length(max=REFERENCE_MAX, message=TOO_LONG),
        ],
    )
    explanation = TextAreaField(
        _l("Uitleg voor de melder"),
        description=_l(
            "Waarom gaan deze meldingen samen? De melder en wie de melding steunen, krijgen dit per e-mail."
        ),
        validators=[
            Required(_l("Schrijf voor de melder op waarom deze meldingen samengaan.")),
            Length(max=TEXT_MAX, message=TOO_LONG),
        ],
    )


class ReopenForm(ActionForm):
    reason = TextAreaField(
        _l("Waarom gaat de melding weer open?"),
        description=_l("De melder en wie de melding steunen, krijgen dit per e-mail."),
        validators=[
            Required(_l("Schrijf op waarom de melding weer open gaat.")),
            Length(max=TEXT_MAX, message=TOO_LONG),
        ],
    )


class NoteForm(BaseForm):
    text = TextAreaField(
        _l("Interne notitie"),
        description=_l("Alleen zichtbaar voor ontregelcoaches en Juridische Zaken, nooit voor de melder."),
        validators=[Required(_l("Schrijf een notitie.")), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


class UpdateForm(BaseForm):
    text = TextAreaField(
        _l("Bericht voor de melder"),
        description=_l(
            "De melder en iedereen die de melding steunt, lezen dit bij de melding en krijgen het per e-mail."
        ),
        validators=[Required(_l("Schrijf een bericht voor de melder.")), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


class AttachForm(BaseForm):
    """More files on the report page: its reporter, or a coach."""

    attachments = attachments_field()
