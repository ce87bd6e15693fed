"""Forms of Juridische Zaken on a dossier page: its facts, its status, a note.

Every form carries the dossier's version as the page showed it, so that a change a
colleague made in the meantime is noticed and never silently overwritten."""

from __future__ import annotations

import datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import DateField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Length, ValidationError

from app.forms import TOO_LONG, Required, VersionedForm
from app.models.dossier import (
    ARTICLE_MAX,
    BWB_ID_MAX,
    CHANNEL_MAX,
    LAW_TITLE_MAX,
    DossierStatus,
)
from app.models.report import TEXT_MAX
from app.services.dossiers import ANSWERED

LAW_TITLE_MISSING = _l("Vul in om welke wet of regeling het gaat, bijvoorbeeld: Participatiewet.")
# Years outside this range are typing mistakes (0202 for 2026), not dates of a letter.
FIRST_YEAR, LAST_YEAR = 1990, 2100


def optional_id(value: str | None) -> int | None:
    """A select's value ('' for 'none') as an id; the form has checked it is a listed choice."""
    return int(value) if value else None


class DayField(DateField):
    """A date as <input type="date"> (which sends 2026-12-31). A browser without a date
    picker shows a text box; then 31-12-2026 is accepted too. Empty means no date."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, format=["%Y-%m-%d", "%d-%m-%Y"], **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        raw = " ".join(valuelist).strip()
        self.data = None
        if not raw:
            return
        for fmt in self.strptime_format:
            try:
                day = datetime.datetime.strptime(raw, fmt).date()
            except ValueError:
                continue
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValueError(
                    gettext("Vul een datum in tussen %(first)d en %(last)d.", first=FIRST_YEAR, last=LAST_YEAR)
                )
            self.data = day
            return
        raise ValueError(gettext("Vul een geldige datum in, zoals 31-12-2026."))


class DossierActionForm(VersionedForm):
    """A change to a dossier, made against the version the user saw."""


class DossierForm(DossierActionForm):
    """The facts of a dossier: legal reference, addressee, channel, dates, owner."""

    law_title = StringField(
        _l("Wet of regeling"),
        description=_l("Bijvoorbeeld: Participatiewet."),
        validators=[Required(LAW_TITLE_MISSING), Length(max=LAW_TITLE_MAX, message=TOO_LONG)],
    )
    article = StringField(
        _l("Artikel"),
        description=_l("Bijvoorbeeld: art. 31, tweede lid."),
        validators=[Length(max=ARTICLE_MAX, message=TOO_LONG)],
    )
    bwb_id = StringField(
        _l("BWB-id"),
        description=_l(
            "Het nummer van de wet op wetten.overheid.nl, bijvoorbeeld BWBR0015703. Daarmee maken we de link naar de wettekst."
        ),
        validators=[Length(max=BWB_ID_MAX, message=TOO_LONG)],
    )
    addressee_id = SelectField(_l("Geadresseerde"), description=_l("Aan wie de escalatie is of wordt gestuurd."))
    channel = StringField(
        _l("Kanaal"),
        description=_l(
            "Hoe de escalatie is verstuurd, bijvoorbeeld: brief, e-mail aan de beleidsdirectie, via de VNG."
        ),
        validators=[Length(max=CHANNEL_MAX, message=TOO_LONG)],
    )
    sent_on = DayField(_l("Verzonden op"))
    answer_due = DayField(
        _l("Antwoord verwacht op"),
        description=_l("Na deze datum staat het dossier als ‘Antwoord te laat’ in het overzicht."),
    )
    follow_up_on = DayField(
        _l("Volgende opvolgdatum"),
        description=_l("Op deze datum krijgt de eigenaar een herinnering en staat het dossier op ‘Opvolgen’."),
    )
    owner_id = SelectField(_l("Eigenaar bij Juridische Zaken"))

    def __init__(self, *args, addressees=(), owners=(), current_addressee_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Inactive addressees cannot be chosen, except the one the dossier already has.
        self.addressee_id.choices = [SelectChoice("", _l("Nog niet gekozen"))] + [
            SelectChoice(str(a.id), a.name if a.active else gettext("%(name)s (niet actief)", name=a.name))
            for a in addressees
            if a.active or a.id == current_addressee_id
        ]
        self.owner_id.choices = [SelectChoice("", _l("Nog niemand"))] + [
            SelectChoice(str(u.id), u.name) for u in owners
        ]


class DossierStatusForm(DossierActionForm):
    to_status = SelectField(_l("Nieuwe status"), validators=[Required(_l("Kies de nieuwe status."))])
    text = TextAreaField(
        _l("Toelichting voor de melders"),
        description=_l(
            "De melders en iedereen die hun melding steunt, lezen dit bij hun melding en krijgen het per e-mail."
        ),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    answer = TextAreaField(
        _l("Het antwoord"),
        description=_l("Het antwoord zoals het binnenkwam, of de kern ervan. Alleen Juridische Zaken leest dit."),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )
    answer_summary = TextAreaField(
        _l("Samenvatting voor de melders"),
        description=_l(
            "In gewone woorden: wat antwoordt het Rijk en wat betekent dat? De melders en wie hun melding steunen, krijgen dit per e-mail."
        ),
        validators=[Length(max=TEXT_MAX, message=TOO_LONG)],
    )

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.to_status.choices = [SelectChoice("", _l("Kies de nieuwe status"))] + [
            SelectChoice(status, DossierStatus(status).label) for status in statuses
        ]

    def _answering(self) -> bool:
        return self.to_status.data == ANSWERED

    def validate_text(self, field) -> None:
        # With an answer the reporters get the summary; a text here would silently go nowhere.
        if self._answering() and (field.data or "").strip():
            raise ValidationError(
                gettext(
                    "Bij ‘Antwoord ontvangen’ krijgen de melders de samenvatting. Zet uw toelichting in de "
                    "samenvatting en laat dit veld leeg."
                )
            )

    def validate_answer(self, field) -> None:
        if self._answering() and not (field.data or "").strip():
            raise ValidationError(gettext("Vul het antwoord in."))

    def validate_answer_summary(self, field) -> None:
        if self._answering() and not (field.data or "").strip():
            raise ValidationError(gettext("Vat het antwoord samen voor de melders."))


class DossierNoteForm(DossierActionForm):
    text = TextAreaField(
        _l("Notitie"),
        description=_l("Intern: alleen Juridische Zaken en de beheerder lezen dit, nooit de melders."),
        validators=[Required(_l("Schrijf een notitie.")), Length(max=TEXT_MAX, message=TOO_LONG)],
    )


class DossierTakeOnForm(DossierActionForm):
    """'Ik pak dit dossier op': nothing to fill in but the version the user saw."""
