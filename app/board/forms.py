"""The board's own form: 'Verplaats naar…' on a card (also what drag-and-drop sends).
'Ik pak hem op' on a card is the report page's TakeOnForm."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField

from app.forms import Required
from app.models.report import STATUS_LABELS, ReportStatus
from app.reports.forms import ActionForm


class MoveForm(ActionForm):
    """'Verplaats naar…' on a board card."""

    to = SelectField(
        _l("Verplaats naar"),
        choices=[SelectChoice("", _l("Kies…"))] + [SelectChoice(s.value, STATUS_LABELS[s]) for s in ReportStatus],
        validators=[Required(_l("Kies waar de melding heen moet."))],
    )
