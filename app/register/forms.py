"""Forms of the shared register: the register's beheer of members, and an installation's
publishing of a dossier."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField, TextAreaField
from wtforms.validators import Length

from app.forms import TOO_LONG, BaseForm, Required
from app.models.register import MEMBER_NAME_MAX, PUBLIC_KEY_MAX, SUMMARY_MAX


class MemberForm(BaseForm):
    name = StringField(
        _l("Naam van de gemeente"),
        validators=[Required(_l("Vul de naam van de gemeente in.")), Length(max=MEMBER_NAME_MAX, message=TOO_LONG)],
    )
    public_key = StringField(
        _l("Publieke sleutel"),
        description=_l("De regel die de gemeente kreeg van flask register-keygen (44 tekens)."),
        validators=[
            Required(_l("Plak de publieke sleutel van de gemeente.")),
            Length(max=PUBLIC_KEY_MAX, message=TOO_LONG),
        ],
    )


class MemberActiveForm(BaseForm):
    """Make a member active or not: nothing to fill in."""


class PublishForm(BaseForm):
    summary = TextAreaField(
        _l("Samenvatting voor het register"),
        description=_l(
            "Openbaar voor alle gemeenten in het register. Beschrijf het probleem met dit artikel, "
            "zonder namen, e-mailadressen of details die iemand herkenbaar maken."
        ),
        validators=[
            Required(_l("Schrijf een samenvatting voor het register.")),
            Length(max=SUMMARY_MAX, message=TOO_LONG),
        ],
    )
