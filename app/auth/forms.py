"""Forms for logging in and changing one's password."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, RadioField, SelectChoice, StringField
from wtforms.validators import Length, ValidationError

from app.forms import TOO_LONG, BaseForm, Required
from app.i18n import LANGUAGE_NAMES
from app.models.user import EMAIL_MAX, MAIL_CHOICES, User
from app.services.mfa import CODE_MAX
from app.services.users import MAX_PASSWORD_LENGTH


class LoginForm(BaseForm):
    email = EmailField(
        _l("E-mailadres"), validators=[Required(_l("Vul uw e-mailadres in.")), Length(max=EMAIL_MAX, message=TOO_LONG)]
    )
    password = PasswordField(
        _l("Wachtwoord"),
        validators=[Required(_l("Vul uw wachtwoord in.")), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )


class ForgottenForm(BaseForm):
    email = EmailField(
        _l("E-mailadres"),
        description=_l("Het adres waarmee u inlogt bij Rode Knop."),
        validators=[Required(_l("Vul uw e-mailadres in.")), Length(max=EMAIL_MAX, message=TOO_LONG)],
    )


class PasswordForm(BaseForm):
    current = PasswordField(
        _l("Huidig wachtwoord"),
        validators=[Required(_l("Vul uw huidige wachtwoord in.")), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )
    password = PasswordField(
        _l("Nieuw wachtwoord"),
        description=_l("Minstens 10 tekens. Een lange zin is sterker dan een kort wachtwoord; plakken mag."),
        validators=[Required(_l("Vul een nieuw wachtwoord in.")), Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG)],
    )


class ChoosePasswordForm(BaseForm):
    """Choosing one's password through a link that was mailed (invitation or reset)."""

    password = PasswordField(
        _l("Nieuw wachtwoord"),
        description=_l("Minstens 10 tekens. Een lange zin is sterker dan een kort wachtwoord; plakken mag."),
        validators=[Required(_l("Kies een wachtwoord.")), Length(max=1024)],
    )
    repeat = PasswordField(
        _l("Herhaal het nieuwe wachtwoord"),
        validators=[Required(_l("Vul het wachtwoord nog een keer in.")), Length(max=1024)],
    )

    def validate_repeat(self, field) -> None:
        if self.password.data and field.data != self.password.data:
            raise ValidationError(_l("De twee wachtwoorden zijn niet hetzelfde."))


class SettingsForm(BaseForm):
    """Mijn instellingen: one choice per kind of mail the user can get (built per user by
    settings_form, from app.models.user.MAIL_KINDS)."""


def settings_form(user: User, **kwargs) -> SettingsForm:
    default = LANGUAGE_NAMES[current_app.config["LANGUAGE"]]
    languages = [SelectChoice("", _l("De taal van de gemeente (%(language)s)", language=default))]
    languages += [SelectChoice(code, LANGUAGE_NAMES[code]) for code in current_app.config["LANGUAGES"]]
    fields = {"language": RadioField(_l("Taal"), choices=languages, default=user.language or "")}
    fields.update(
        (
            code,
            RadioField(
                _l(kind.label),
                description=_l(kind.hint),
                choices=[SelectChoice(choice, _l(MAIL_CHOICES[choice])) for choice in kind.choices],
                default=user.mail_choice(code),
            ),
        )
        for code, kind in user.mail_kinds().items()
    )
    form_class = type("UserSettingsForm", (SettingsForm,), fields)
    return form_class(**kwargs)


class CodeForm(BaseForm):
    """A code from the authenticator app: at login, and to switch the second factor on."""

    code = StringField(
        _l("Code uit uw app"),
        description=_l("De 6 cijfers die uw app nu laat zien. Elke 30 seconden komt er een nieuwe code."),
        validators=[Required(_l("Vul de code uit uw app in.")), Length(max=CODE_MAX, message=TOO_LONG)],
    )


class RecoveryCodeForm(BaseForm):
    """A recovery code instead of the app (a lost or forgotten phone)."""

    recovery_code = StringField(
        _l("Herstelcode"),
        description=_l(
            "Een van de herstelcodes die u kreeg toen u de tweestapsverificatie aanzette, zoals abcde-23456. Elke code werkt één keer."
        ),
        validators=[Required(_l("Vul een herstelcode in.")), Length(max=CODE_MAX, message=TOO_LONG)],
    )


class ConfirmIdentityForm(BaseForm):
    """Before switching the second factor off or making new recovery codes."""

    answer = PasswordField(
        _l("Uw wachtwoord of een code uit uw app"),
        validators=[
            Required(_l("Vul uw wachtwoord of een code uit uw app in.")),
            Length(max=MAX_PASSWORD_LENGTH, message=TOO_LONG),
        ],
    )
