"""Demo data for a first look: users for every role, departments, a dozen reports."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Department, Report, ReportStatus, User
from app.models.base import utcnow
from app.models.report import Origin
from app.services.dossiers import LegalReference
from app.services.impact import Estimate
from app.services.reports import submit_report, support_report
from app.services.users import create_department, create_user
from app.services.workflow import assign_report, decide_report, set_estimate

DEMO_PASSWORD = "rodeknop-demo"

DEPARTMENTS = [
    "Vergunningen en Toezicht",
    "Werk en Inkomen",
    "Burgerzaken",
    "Belastingen",
    "Jeugd en Zorg",
    "Informatievoorziening",
]

# (e-mail, name, roles, department)
DEMO_USERS = [
    ("medewerker@rodeknop.test", "Sanne de Vries", ("employee",), "Burgerzaken"),
    ("collega@rodeknop.test", "Mohamed El Amrani", ("employee",), "Werk en Inkomen"),
    ("coach@rodeknop.test", "Eva Jansen", ("employee", "coach"), "Vergunningen en Toezicht"),
    ("coach2@rodeknop.test", "Daan Bakker", ("employee", "coach"), "Jeugd en Zorg"),
    ("jurist@rodeknop.test", "Fatima Yilmaz", ("employee", "legal"), None),
    ("beheer@rodeknop.test", "Pieter Visser", ("employee", "admin"), "Informatievoorziening"),
]

# (reporter e-mail, days ago, anonymous, origin, department, rule, problem, effect, suggestion)
DEMO_REPORTS = [
    (
        "medewerker@rodeknop.test",
        40,
        False,
        Origin.OWN,
        "Vergunningen en Toezicht",
        "Dakkapel vraagt volledige vergunningprocedure, ook als alle buren akkoord zijn",
        "Voor een dakkapel aan de voorkant moet een inwoner de hele reguliere procedure doorlopen, met welstandsadvies "
        "en acht weken wachttijd, ook als alle buren schriftelijk akkoord zijn en het ontwerp gelijk is aan dat van de buren.",
        "Inwoners wachten maanden en betalen hoge leges voor iets waar niemand bezwaar tegen heeft.",
        "Een lichte toets als de buren akkoord zijn en het ontwerp past binnen het bestaande straatbeeld.",
    ),
    (
        "collega@rodeknop.test",
        30,
        False,
        Origin.OWN,
        "Werk en Inkomen",
        "Inwoner moet bij bijstandsaanvraag hetzelfde verhaal aan drie afdelingen vertellen",
        "Bij een aanvraag voor bijstand vertelt de inwoner zijn situatie aan de klantmanager, daarna aan schuldhulpverlening "
        "en daarna nog eens aan het wijkteam. Gegevens worden niet gedeeld, ook niet met toestemming.",
        "Mensen in een kwetsbare situatie haken af of voelen zich niet gehoord.",
        "Eén intakegesprek, met toestemming gedeeld met de andere afdelingen.",
    ),
    (
        "medewerker@rodeknop.test",
        21,
        True,
        Origin.NATIONAL,
        "Burgerzaken",
        "Uittreksel BRP moet op papier worden aangeleverd voor eigen gemeente",
        "Een andere afdeling vraagt inwoners om een uittreksel uit de BRP, terwijl wij die gegevens zelf al hebben. "
        "De inwoner betaalt leges voor gegevens die de gemeente al heeft.",
        "Extra kosten en een extra bezoek aan het stadskantoor.",
        None,
    ),
    (
        "coach2@rodeknop.test",
        18,
        False,
        Origin.NATIONAL,
        "Werk en Inkomen",
        "Kostendelersnorm verlaagt uitkering als volwassen kind tijdelijk thuis woont",
        "Als een volwassen kind tijdelijk bij een ouder in de bijstand komt wonen, wordt de uitkering van de ouder verlaagd "
        "door de kostendelersnorm. Ouders durven hun kind daarom geen onderdak te bieden.",
        "Jongeren raken dakloos omdat ouders er financieel op achteruitgaan.",
        "Uitzondering voor tijdelijke opvang van eigen kinderen.",
    ),
    (
        "collega@rodeknop.test",
        14,
        False,
        Origin.OWN,
        "Belastingen",
        "Kwijtschelding moet elk jaar opnieuw worden aangevraagd, ook bij AOW zonder vermogen",
        "Inwoners met alleen AOW en geen vermogen moeten ieder jaar opnieuw kwijtschelding van gemeentelijke belastingen "
        "aanvragen met dezelfde bewijsstukken.",
        "Veel ouderen vergeten het en krijgen dan een aanmaning.",
        "Automatisch kwijtschelden als de situatie niet veranderd is.",
    ),
    (
        "medewerker@rodeknop.test",
        10,
        False,
        Origin.UNKNOWN,
        "Burgerzaken",
        "Afspraak voor paspoort alleen online te maken",
        "Inwoners zonder computer of DigiD kunnen geen afspraak maken voor een paspoort; telefonisch verwijzen we ze naar de website.",
        "Vooral ouderen en laaggeletterden lopen vast.",
        "Telefonisch een afspraak kunnen inplannen.",
    ),
    (
        "coach@rodeknop.test",
        8,
        False,
        Origin.OWN,
        "Jeugd en Zorg",
        "Nieuwe indicatie nodig bij verhuizing binnen de gemeente",
        "Als een gezin binnen de gemeente verhuist, vervalt de indicatie voor jeugdhulp en moet een nieuwe aanvraag worden gedaan.",
        "Hulp aan kinderen stopt tijdelijk.",
        "De indicatie laten doorlopen bij verhuizing binnen de gemeente.",
    ),
    (
        "collega@rodeknop.test",
        6,
        True,
        Origin.UNKNOWN,
        "Werk en Inkomen",
        "Bewijsstukken opnieuw opvragen die al in het dossier zitten",
        "Bij een heronderzoek vragen we opnieuw bankafschriften en een identiteitsbewijs op, ook als die al in het dossier zitten.",
        None,
        None,
    ),
    (
        "medewerker@rodeknop.test",
        4,
        False,
        Origin.OWN,
        "Vergunningen en Toezicht",
        "Evenementenvergunning voor straatfeest van twintig buren",
        "Een straatfeest met een paar tafels op straat vraagt dezelfde evenementenvergunning als een groot festival, "
        "inclusief veiligheidsplan.",
        "Buurtinitiatieven worden afgeschrikt.",
        "Een meldingsplicht voor kleine buurtfeesten.",
    ),
    (
        # A coach who reports anonymously: the app leaves this one to the other coach.
        "coach2@rodeknop.test",
        3,
        True,
        Origin.NATIONAL,
        "Jeugd en Zorg",
        "Wmo-aanvraag vraagt medisch advies terwijl de beperking blijvend is",
        "Bij elke nieuwe Wmo-aanvraag van iemand met een blijvende beperking vragen we opnieuw medisch advies aan.",
        None,
        "Een eenmalige vaststelling bij blijvende beperkingen.",
    ),
    (
        "collega@rodeknop.test",
        2,
        False,
        Origin.OWN,
        "Informatievoorziening",
        "Formulier voor parkeervergunning vraagt kopie kentekenbewijs",
        "Het formulier vraagt een kopie van het kentekenbewijs, terwijl we het kenteken kunnen controleren in het RDW-register.",
        None,
        None,
    ),
    (
        "medewerker@rodeknop.test",
        1,
        False,
        Origin.UNKNOWN,
        "Burgerzaken",
        "Verhuizing doorgeven kan niet voor een ander met een volmacht",
        "Een mantelzorger kan de verhuizing van zijn moeder naar het verpleeghuis niet doorgeven, ook niet met een volmacht.",
        "Inwoners blijven op het oude adres ingeschreven en missen post.",
        None,
    ),
]

# Index in DEMO_REPORTS -> (status, coach e-mail, text for the reporter)
DEMO_STATES = {
    0: (ReportStatus.IN_PROGRESS, "coach@rodeknop.test", None),
    1: (
        ReportStatus.RESOLVED,
        "coach2@rodeknop.test",
        "Vanaf nu is er één intakegesprek; met toestemming van de inwoner delen we de gegevens met schuldhulpverlening en het wijkteam.",
    ),
    2: (
        ReportStatus.RESOLVED,
        "coach@rodeknop.test",
        "De afdeling vraagt geen uittreksel meer op; medewerkers raadplegen de BRP zelf.",
    ),
    3: (
        ReportStatus.ESCALATED,
        "coach2@rodeknop.test",
        "De kostendelersnorm staat in de Participatiewet. Dat kunnen we lokaal niet veranderen; Juridische Zaken heeft dit bij het ministerie van SZW geagendeerd.",
    ),
    4: (ReportStatus.IN_PROGRESS, "coach@rodeknop.test", None),
    5: (
        ReportStatus.EXPLAINED,
        "coach@rodeknop.test",
        "Telefonisch afspraken maken kan weer sinds deze maand, maar alleen via het algemene nummer 14 0xx; we hebben de website aangepast zodat dat er duidelijk staat.",
    ),
}


def seed_demo() -> None:
    departments = {}
    for name in DEPARTMENTS:
        departments[name] = db.session.scalar(
            db.select(Department).where(Department.name == name)
        ) or create_department(name)
    users = {}
    for email, name, roles, dept in DEMO_USERS:
        users[email] = db.session.scalar(db.select(User).where(User.email == email)) or create_user(
            email=email, name=name, password=DEMO_PASSWORD, roles=roles, department=departments.get(dept)
        )
    now = utcnow()
    reports: list[Report] = []
    for email, days, anonymous, origin, dept, rule, problem, effect, suggestion in DEMO_REPORTS:
        report = submit_report(
            users[email],
            rule=rule,
            problem=problem,
            effect=effect,
            suggestion=suggestion,
            origin=origin.value,
            department_id=departments[dept].id,
            anonymous=anonymous,
            now=now - timedelta(days=days),
        )
        reports.append(report)
    db.session.flush()
    # Colleagues who ran into the same rule.
    support_report(users["collega@rodeknop.test"], reports[0], "Bij ons in de wijk speelt dit ook bij drie aanvragen.")
    support_report(users["coach2@rodeknop.test"], reports[0], None)
    support_report(users["medewerker@rodeknop.test"], reports[4], "Mijn buurvrouw heeft hier elk jaar stress van.")
    support_report(users["medewerker@rodeknop.test"], reports[9], None)
    for index, (status, coach_email, explanation) in DEMO_STATES.items():
        _demo_progress(reports[index], status, users[coach_email], explanation)
    seed_impact_demo(reports, users)
    seed_demo_checkbacks(reports, users)


def seed_impact_demo(reports: list[Report], users: dict[str, User]) -> None:
    """Impact estimates (some given by the reporter, some confirmed by a coach, so that 'Wat we
    ontregelden' shows hours saved) and reports whose texts may be in the open data."""
    coach, coach2 = users["coach@rodeknop.test"], users["coach2@rodeknop.test"]
    # Open: the reporter's own estimate, not yet confirmed.
    set_estimate(reports[0], actor=users["medewerker@rodeknop.test"], estimate=Estimate(25, 240, 90, "inhabitants"))
    set_estimate(reports[11], actor=users["medewerker@rodeknop.test"], estimate=Estimate(15, 60, 20, "inhabitants"))
    # Open: a coach's estimate.
    set_estimate(reports[4], actor=coach, estimate=Estimate(300, 30, 15, "inhabitants"))
    # Solved: a coach's estimate on a solved report is that coach's confirmation.
    set_estimate(reports[1], actor=coach2, estimate=Estimate(40, 45, 60, "inhabitants"))
    set_estimate(reports[2], actor=coach, estimate=Estimate(120, 30, 10, "inhabitants"))
    # The coaches judged these texts free of personal data (the mark a decision sets).
    for report in (reports[1], reports[2]):
        if report.status == ReportStatus.RESOLVED.value:
            report.text_public = True
    db.session.flush()


def _demo_progress(report: Report, status: ReportStatus, coach: User, explanation: str | None) -> None:
    """Move a demo report along through the same workflow the coaches use."""
    assign_report(report, coach, actor=coach)
    if status is ReportStatus.IN_PROGRESS:
        return
    decide_report(
        report,
        actor=coach,
        outcome=status.value,
        explanation=explanation,
        what_changed=explanation if status is ReportStatus.RESOLVED else None,
        legal=LegalReference("Participatiewet", "BWBR0015703", "art. 22a")
        if status is ReportStatus.ESCALATED
        else None,
    )


def seed_demo_checkbacks(reports: list[Report], users: dict[str, User]) -> None:
    """'Merkbaar beter?' (app.services.checkback): the two solved demo reports and one more
    were solved CHECKBACK_WEEKS ago and their followers were asked. One answered ja, one
    question (to an anonymous reporter) waits for an answer, and on the extra report the
    reporter answered nee (it is back on the board, with the comment) and a supporter
    weet ik niet."""
    from flask import current_app

    from app.models import CheckbackInvite
    from app.services.checkback import answer_checkback, ask_checkback

    now = utcnow()
    solved_at = now - timedelta(weeks=current_app.config["CHECKBACK_WEEKS"] or 6, days=2)
    coach = users["coach@rodeknop.test"]
    extra = submit_report(
        users["collega@rodeknop.test"],
        rule="Ontheffing parkeren voor mantelzorgers moet elk jaar opnieuw worden aangevraagd",
        problem="Mantelzorgers met een vaste zorgtaak vragen elk jaar dezelfde ontheffing aan, met dezelfde bewijsstukken.",
        effect="Mantelzorgers verliezen tijd en krijgen soms een boete omdat de nieuwe ontheffing te laat komt.",
        suggestion="Een ontheffing voor drie jaar bij een vaste zorgtaak.",
        origin=Origin.OWN.value,
        department_id=db.session.scalar(db.select(Department.id).where(Department.name == "Belastingen")),
        now=now - timedelta(days=90),
    )
    support_report(users["medewerker@rodeknop.test"], extra, "Aan de balie horen we dit elke week.")
    _demo_progress(
        extra,
        ReportStatus.RESOLVED,
        coach,
        "De ontheffing geldt voortaan drie jaar als de zorgtaak blijvend is; het formulier vraagt minder bewijsstukken.",
    )
    for report in (reports[1], reports[2], extra):
        report.resolved_at = solved_at
        for event in report.events:
            if event.to_status == ReportStatus.RESOLVED.value:
                event.created_at = solved_at
        db.session.flush()
        ask_checkback(report, now=solved_at + timedelta(weeks=current_app.config["CHECKBACK_WEEKS"] or 6))
    db.session.flush()

    def invite(report: Report, user: User) -> CheckbackInvite:
        return db.session.scalar(
            db.select(CheckbackInvite).where(CheckbackInvite.report_id == report.id, CheckbackInvite.user_id == user.id)
        )

    answer_checkback(
        invite(reports[1], users["collega@rodeknop.test"]),
        "yes",
        "Inwoners vertellen hun verhaal nu één keer. Dat scheelt bij elke aanvraag ruim een half uur.",
    )
    answer_checkback(
        invite(extra, users["collega@rodeknop.test"]),
        "no",
        "Het formulier is aangepast, maar de vergunningverlening vraagt nog steeds elk jaar om een nieuwe aanvraag.",
    )
    answer_checkback(invite(extra, users["medewerker@rodeknop.test"]), "unsure", None)
