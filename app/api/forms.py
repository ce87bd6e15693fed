"""The forms of the API-key pages (app/api/pages.py)."""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, CheckboxList, Required
from app.i18n import N_
from app.models.api_token import SCOPES, TOKEN_NAME_MAX
from app.models.user import ROLES

# The labels are msgids, translated when a form is made.
DAYS = (("30", N_("30 dagen")), ("90", N_("90 dagen")), ("180", N_("180 dagen")), ("365", N_("een jaar")))


class TokenForm(BaseForm):
    name = StringField(
        _l("Naam van de sleutel"),
        description=_l("Waarvoor gebruikt u hem? Bijvoorbeeld: script voor het intranet."),
        validators=[Required(_l("Geef de sleutel een naam.")), Length(max=TOKEN_NAME_MAX, message=TOO_LONG)],
    )
    scopes = CheckboxList(_l("Bevoegdheden"))
    days = SelectField(_l("Geldig"), choices=[SelectChoice(value, label) for value, label in DAYS], default="90")

    def __init__(self, *args, scopes: tuple[str, ...], max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        if hasattr(self, "roles"):
            self.roles.choices = [SelectChoice(code, gettext(label)) for code, label in ROLES.items()]
        self.scopes.choices = [SelectChoice(code, gettext(SCOPES[code])) for code in scopes]
        self.days.choices = [SelectChoice(value, gettext(label)) for value, label in DAYS if int(value) <= max_days]

    def validate_scopes(self, field):
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError(gettext("Kies minstens één bevoegdheid."))


class IntegrationForm(TokenForm):
    """A beheerder's integration: a service account with roles, and its first token."""

    account = StringField(
        _l("Naam van de koppeling"),
        description=_l("Bijvoorbeeld: Zaaksysteem. Zo staat de koppeling in de tijdlijn van een melding."),
        validators=[Required(_l("Geef de koppeling een naam.")), Length(max=80, message=TOO_LONG)],
    )
    roles = CheckboxList(_l("Rollen van de koppeling"))

    def validate_roles(self, field):
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError(gettext("Kies minstens één rol."))
