"""The dashboard's filters: a period and a department, sent as a GET form."""

from __future__ import annotations

from datetime import date

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from wtforms import SelectField
from wtforms.validators import ValidationError

from app.dossiers.forms import DayField
from app.forms import BaseForm
from app.services.insight import MAX_PERIOD_DAYS, InsightFilters, default_filters

ALL = ""


class InsightFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    van = DayField(_l("Van"), description=_l("De eerste dag, bijvoorbeeld 1-1-2026."))
    tot = DayField(_l("Tot en met"), description=_l("De laatste dag."))
    afdeling = SelectField(_l("Afdeling"), default=ALL)

    def __init__(self, formdata, *, departments, **kwargs):
        super().__init__(formdata, **kwargs)
        self.afdeling.choices = [(ALL, gettext("Alle afdelingen"))] + [(str(d.id), d.name) for d in departments]

    def validate_van(self, field):
        start, end = self._period()
        if start <= end and (end - start).days >= MAX_PERIOD_DAYS:
            raise ValidationError(gettext("Kies een periode van hoogstens drie jaar."))

    def validate_tot(self, field):
        start, end = self._period()
        if end < start:
            raise ValidationError(gettext("De laatste dag ligt voor de eerste dag. Kies een latere datum."))

    def _period(self) -> tuple[date, date]:
        default = default_filters()
        end = self.tot.data or default.end
        start = self.van.data or (default.start if not self.tot.data else date(end.year, 1, 1))
        return start, end

    def filters(self) -> InsightFilters:
        """The chosen period and department (the defaults for what was left empty)."""
        start, end = self._period()
        department = int(self.afdeling.data) if self.afdeling.data else None
        return InsightFilters(start=start, end=end, department_id=department)
