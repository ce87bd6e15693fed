"""The forms of the API-key pages (app/api/pages.py)."""

from __future__ import annotations

from wtforms import SelectChoice, SelectField, StringField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, CheckboxList, Required
from app.models.api_token import SCOPES, TOKEN_NAME_MAX
from app.models.user import ROLES

DAYS = (("30", "30 dagen"), ("90", "90 dagen"), ("180", "180 dagen"), ("365", "een jaar"))


class TokenForm(BaseForm):
    name = StringField(
        "Naam van de sleutel",
        description="Waarvoor gebruikt u hem? Bijvoorbeeld: script voor het intranet.",
        validators=[Required("Geef de sleutel een naam."), Length(max=TOKEN_NAME_MAX, message=TOO_LONG)],
    )
    scopes = CheckboxList("Bevoegdheden")
    days = SelectField("Geldig", choices=[SelectChoice(value, label) for value, label in DAYS], default="90")

    def __init__(self, *args, scopes: tuple[str, ...], max_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [SelectChoice(code, SCOPES[code]) for code in scopes]
        self.days.choices = [SelectChoice(value, label) for value, label in DAYS if int(value) <= max_days]

    def validate_scopes(self, field):
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError("Kies minstens één bevoegdheid.")


class IntegrationForm(TokenForm):
    """A beheerder's integration: a service account with roles, and its first token."""

    account = StringField(
        "Naam van de koppeling",
        description="Bijvoorbeeld: Zaaksysteem. Zo staat de koppeling in de tijdlijn van een melding.",
        validators=[Required("Geef de koppeling een naam."), Length(max=80, message=TOO_LONG)],
    )
    roles = CheckboxList(
        "Rollen van de koppeling", choices=[SelectChoice(code, label) for code, label in ROLES.items()]
    )

    def validate_roles(self, field):
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError("Kies minstens één rol.")
