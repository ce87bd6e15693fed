"""Forms of the administrator's area."""

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, CheckboxList, EmailAddress, Required
from app.models import ROLES
from app.models.dossier import ADDRESSEE_KINDS, ADDRESSEE_NAME_MAX
from app.models.user import DEPARTMENT_NAME_MAX, EMAIL_MAX, PERSON_NAME_MAX
from app.models.webhook import URL_MAX
from app.services.handover import NOBODY
from app.services.webhook_events import EVENTS


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class UserForm(BaseForm):
    name = StringField(
        _l("Naam"), validators=[Required(_l("Vul een naam in.")), Length(max=PERSON_NAME_MAX, message=TOO_LONG)]
    )
    email = EmailField(
        _l("E-mailadres"),
        validators=[Required(_l("Vul een e-mailadres in.")), EmailAddress(), Length(max=EMAIL_MAX, message=TOO_LONG)],
    )
    department_id = SelectField(_l("Afdeling"), coerce=_optional_int)
    roles = CheckboxList(_l("Rollen"), choices=[SelectChoice(code, _l(label)) for code, label in ROLES.items()])
    active = BooleanField(_l("Account actief"), default=True)
    # Shown only for an account that holds open work (app.services.handover).
    reports_to = SelectField(_l("Wie gaat achter de open meldingen aan?"), default="")
    dossiers_to = SelectField(_l("Wie wordt eigenaar van de open dossiers?"), default="")

    def __init__(self, *args, departments=(), coaches=(), lawyers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.department_id.choices = [SelectChoice(None, _l("Geen afdeling"))] + [
            SelectChoice(d.id, d.name) for d in departments
        ]
        self.reports_to.choices = (
            [SelectChoice("", _l("Kies een ontregelcoach of niemand"))]
            + [SelectChoice(str(u.id), u.name) for u in coaches]
            + [SelectChoice(NOBODY, _l("Niemand: de meldingen gaan terug naar Nieuw, voor het weekoverleg"))]
        )
        self.dossiers_to.choices = (
            [SelectChoice("", _l("Kies een jurist of niemand"))]
            + [SelectChoice(str(u.id), u.name) for u in lawyers]
            + [SelectChoice(NOBODY, _l("Niemand: de dossiers hebben dan geen eigenaar"))]
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.roles.data:
            self.roles.errors = [*list(self.roles.errors), gettext("Kies minstens één rol.")]
            valid = False
        return valid


class PasswordLinkForm(BaseForm):
    """'Stuur een link om een wachtwoord te kiezen': nothing to fill in."""


class ResetTwoFactorForm(BaseForm):
    """'Tweestapsverificatie wissen': the beheerder confirms with a checkbox (works without JS)."""

    confirm = BooleanField(_l("Ja, wis de tweestapsverificatie van dit account"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.confirm.data:
            self.confirm.errors = [
                *list(self.confirm.errors),
                gettext("Vink aan dat u de tweestapsverificatie wilt wissen."),
            ]
            valid = False
        return valid


class DepartmentForm(BaseForm):
    name = StringField(
        _l("Naam van de afdeling"),
        validators=[Required(_l("Vul een naam in.")), Length(max=DEPARTMENT_NAME_MAX, message=TOO_LONG)],
    )
    active = BooleanField(_l("Actief"), default=True)


# --- addressees of escalations ---------------------------------------------------------


class AddresseeForm(BaseForm):
    name = StringField(
        _l("Naam"),
        validators=[
            Required(_l("Vul de naam van de geadresseerde in.")),
            Length(max=ADDRESSEE_NAME_MAX, message=TOO_LONG),
        ],
    )
    kind = SelectField(
        _l("Soort"),
        choices=[SelectChoice("", _l("Kies een soort"))]
        + [SelectChoice(code, _l(label)) for code, label in ADDRESSEE_KINDS.items()],
        validators=[Required(_l("Kies een soort."))],
    )
    default_owner_id = SelectField(
        _l("Standaard eigenaar bij Juridische Zaken"),
        default="",
        description=_l(
            "Wie dossiers aan deze geadresseerde standaard oppakt. Kiest Juridische Zaken deze geadresseerde "
            "bij een dossier zonder eigenaar, dan wordt deze persoon de eigenaar en krijgt een e-mail."
        ),
    )
    active = BooleanField(_l("Actief"), default=True)

    def __init__(self, *args, lawyers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.default_owner_id.choices = [SelectChoice("", _l("Niemand"))] + [
            SelectChoice(str(u.id), u.name) for u in lawyers
        ]


# --- webhooks ------------------------------------------------------------------------


class WebhookForm(BaseForm):
    url = StringField(
        _l("Adres (URL)"),
        validators=[
            Required(_l("Vul het adres in waar Rode Knop de berichten naartoe stuurt.")),
            Length(max=URL_MAX, message=TOO_LONG),
        ],
    )
    events = CheckboxList(
        _l("Gebeurtenissen"), choices=[SelectChoice(code, _l(label)) for code, label in EVENTS.items()]
    )
    active = BooleanField(_l("Actief: berichten versturen"), default=True)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.events.data:
            self.events.errors = [*list(self.events.errors), gettext("Kies minstens één gebeurtenis.")]
            valid = False
        return valid


class ConfirmForm(BaseForm):
    """A step that cannot be undone, confirmed with a checkbox (works without JS)."""

    confirm = BooleanField(_l("Ja, ik weet het zeker"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not self.confirm.data:
            self.confirm.errors = [*list(self.confirm.errors), gettext("Vink aan dat u dit zeker weet.")]
            valid = False
        return valid


class ResendForm(BaseForm):
    """'Opnieuw versturen': nothing to fill in."""
