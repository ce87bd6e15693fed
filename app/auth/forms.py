"""Forms for logging in and changing one's password."""

from wtforms import EmailField, PasswordField, RadioField, SelectChoice
from wtforms.validators import Length, ValidationError

from app.forms import TOO_LONG, BaseForm, Required
from app.models.user import EMAIL_MAX, MAIL_CHOICES, User
from app.services.users import MAX_PASSWORD_LENGTH


class LoginForm(BaseForm):
    email = EmailField(
        "E-mailadres", validators=[Required("Vul uw e-mailadres in."), Length(max=EMAIL_MAX, message=TOO_LONG)]
    )
    password = PasswordField(
        "Wachtwoord",
        validators=[Required("Vul uw wachtwoord in."), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )


class ForgottenForm(BaseForm):
    email = EmailField(
        "E-mailadres",
        description="Het adres waarmee u inlogt bij Rode Knop.",
        validators=[Required("Vul uw e-mailadres in."), Length(max=EMAIL_MAX, message=TOO_LONG)],
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
    """Mijn instellingen: one choice per kind of mail the user can get (built per user by
    settings_form, from app.models.user.MAIL_KINDS)."""


def settings_form(user: User, **kwargs) -> SettingsForm:
    fields = {
        code: RadioField(
            kind.label,
            description=kind.hint,
            choices=[SelectChoice(choice, MAIL_CHOICES[choice]) for choice in kind.choices],
            default=user.mail_choice(code),
        )
        for code, kind in user.mail_kinds().items()
    }
    form_class = type("UserSettingsForm", (SettingsForm,), fields)
    return form_class(**kwargs)
