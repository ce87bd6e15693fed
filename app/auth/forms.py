"""Forms for logging in and changing one's password."""

from wtforms import EmailField, PasswordField, RadioField, SelectChoice
from wtforms.validators import Length, ValidationError

from app.forms import TOO_LONG, BaseForm, Required
from app.models.user import EMAIL_MAX
from app.services.users import MAX_PASSWORD_LENGTH


class LoginForm(BaseForm):
    email = EmailField(
        "E-mailadres", validators=[Required("Vul uw e-mailadres in."), Length(max=EMAIL_MAX, message=TOO_LONG)]
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[Required("Vul uw wachtwoord in."), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )


class PasswordForm(BaseForm):
    current = PasswordField(
        "Huidig wachtwoord",
        validators=[Required("Vul uw huidige wachtwoord in."), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )
    password = PasswordField(
        "Nieuw wachtwoord",
        description="Minstens 10 tekens. Een lange zin is sterker dan een kort wachtwoord; plakken mag.",
        validators=[Required("Vul een nieuw wachtwoord in."), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )


class ChoosePasswordForm(BaseForm):
    """Choosing one's password through a link that was mailed (invitation or reset)."""

    password = PasswordField(
        "Nieuw wachtwoord",
        description="Minstens 10 tekens. Een lange zin is sterker dan een kort wachtwoord; plakken mag.",
        validators=[Required("Kies een wachtwoord."), Length(max=1024)],
    )
    repeat = PasswordField(
        "Herhaal het nieuwe wachtwoord",
        validators=[Required("Vul het wachtwoord nog een keer in."), Length(max=1024)],
    )

    def validate_repeat(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError("De twee wachtwoorden zijn niet hetzelfde.")


class SettingsForm(BaseForm):
    mail_preference = RadioField(
        "E-mail over meldingen die u volgt",
        choices=[
            SelectChoice("each", "Stuur mij een e-mail bij elk besluit of bericht"),
            SelectChoice("none", "Stuur mij geen e-mail; ik kijk zelf onder Mijn meldingen"),
        ],
    )
