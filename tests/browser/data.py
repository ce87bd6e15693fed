"""Demo-like data for the browser tests, built through tests.factories and committed
before the browser touches it."""

from __future__ import annotations

from dataclasses import dataclass

from app.extensions import db
from tests.factories import make_department, make_report, make_support, make_user

DEPARTMENTS = ["Vergunningen en Toezicht", "Werk en Inkomen", "Burgerzaken", "Belastingen"]
DAKKAPEL = "Dakkapel vraagt volledige vergunningprocedure, ook als alle buren akkoord zijn"


@dataclass(frozen=True)
class Demo:
    employee_email: str
    employee_name: str
    colleague_email: str
    colleague_name: str
    dakkapel_reference: str
    dakkapel_supporters: int
    department_ids: dict


def seed_demo(app, *, with_dakkapel: bool = True) -> Demo:
    """Departments, Sanne (medewerker at Burgerzaken), and Mohamed who already reported the
    dakkapel rule (one other colleague supports it)."""
    with app.app_context():
        departments = {name: make_department(name) for name in DEPARTMENTS}
        sanne = make_user("Sanne de Vries", email="medewerker@rodeknop.test", department=departments["Burgerzaken"])
        mohamed = make_user(
            "Mohamed El Amrani", email="collega@rodeknop.test", department=departments["Werk en Inkomen"]
        )
        reference = ""
        supporters = 0
        if with_dakkapel:
            report = make_report(
                mohamed,
                rule=DAKKAPEL,
                problem=(
                    "Voor een dakkapel aan de voorkant moet een inwoner de hele reguliere procedure doorlopen, "
                    "met welstandsadvies en acht weken wachttijd."
                ),
                effect="Inwoners wachten maanden en betalen hoge leges.",
                origin="own",
                department_id=departments["Vergunningen en Toezicht"].id,
            )
            third = make_user(
                "Eva Jansen", email="eva@rodeknop.test", department=departments["Vergunningen en Toezicht"]
            )
            make_support(third, report, "Bij de balie horen we dit elke week.")
            reference = report.reference
            supporters = 1
        db.session.commit()
        return Demo(
            employee_email=sanne.email,
            employee_name=sanne.name,
            colleague_email=mohamed.email,
            colleague_name=mohamed.name,
            dakkapel_reference=reference,
            dakkapel_supporters=supporters,
            department_ids={name: d.id for name, d in departments.items()},
        )


def add_user(app, name: str, email: str, roles=("employee",), department: str | None = None) -> None:
    from app.models import Department

    with app.app_context():
        dept = db.session.scalar(db.select(Department).where(Department.name == department)) if department else None
        make_user(name, email=email, roles=roles, department=dept)
        db.session.commit()


def count_reports(app) -> int:
    from app.models import Report

    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Report.id)))
