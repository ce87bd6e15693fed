"""Demo data for a first look: users for every role, departments, a dozen reports."""

from __future__ import annotations

import random
from datetime import timedelta

from app.extensions import db
from app.models import Department, Report, ReportStatus, User
from app.models.base import utcnow
from app.models.report import Affected, Origin
from app.services.dossiers import LegalReference
from app.services.impact import Estimate
from app.services.reports import submit_report, support_report
from app.services.users import create_department, create_user
from app.services.workflow import assign_report, decide_report, merge_report, report_actions, set_estimate

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
    ("bestuur@rodeknop.test", "Bram Bestuurder", ("employee", "executive"), None),
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


def seed_demo(*, insight: bool = True) -> None:
    """The demo: `insight` adds a year of reports for Inzicht (seed_insight_demo)."""
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
    if insight:
        seed_insight_demo(users, departments)


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
        report.taken_on_at = min(report.taken_on_at or solved_at, solved_at)
        report.decided_at = min(report.decided_at or solved_at, solved_at)
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


# --- Inzicht (the dashboard): a year of reports ---------------------------------------------

# (law, BWB id, article, addressee) of the demo's escalations: some laws come back.
INSIGHT_LAWS = [
    ("Participatiewet", "BWBR0015703", "art. 22a", "Ministerie van Sociale Zaken en Werkgelegenheid"),
    ("Participatiewet", "BWBR0015703", "art. 31", "Ministerie van Sociale Zaken en Werkgelegenheid"),
    (
        "Wet maatschappelijke ondersteuning 2015",
        "BWBR0035362",
        "art. 2.3.2",
        "Ministerie van Volksgezondheid, Welzijn en Sport",
    ),
    (
        "Wet basisregistratie personen",
        "BWBR0033715",
        "art. 2.39",
        "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
    ),
    ("Algemene wet inzake rijksbelastingen", "BWBR0002320", "art. 67", "Belastingdienst / Toeslagen"),
    ("Wet werk en inkomen naar arbeidsvermogen", "BWBR0019057", "art. 29", "UWV"),
    ("Algemene Ouderdomswet", "BWBR0002221", "art. 8a", "Sociale Verzekeringsbank (SVB)"),
    ("Jeugdwet", "BWBR0034925", "art. 2.3", "Vereniging van Nederlandse Gemeenten (VNG)"),
]
INSIGHT_RULES = [
    "Inkomensverklaring elk jaar opnieuw opvragen",
    "Handtekening op papier voor een digitale aanvraag",
    "Huisbezoek verplicht bij elke aanvraag bijzondere bijstand",
    "Alleen pinnen aan de balie, ook voor wie geen pas heeft",
    "Drie formulieren voor één verhuizing",
    "Wachttijd van vier weken voor een schuldhulpgesprek",
    "Kopie identiteitsbewijs bij elke aanvraag",
    "Geen afspraak buiten kantoortijden",
    "Kostendelersnorm bij tijdelijke opvang",
    "Parkeervergunning alleen voor kentekenhouder",
]


def seed_insight_demo(users: dict[str, User], departments: dict[str, Department], count: int = 72) -> None:
    """A year of reports for Inzicht: spread over weeks and departments, taken on and
    decided after varying times (some longer than the agreed term), escalations to several
    addressees with answers (some late), and colleagues who run into the same rule. The
    steps go through the workflow; their moments are then set back to when they happened
    in the story (only demo rows, written a moment ago)."""
    from datetime import UTC, datetime

    from app.models import Addressee, Dossier
    from app.services.dossiers import change_dossier_status, update_dossier

    rng = random.Random(10)
    now = utcnow()
    started = now - timedelta(seconds=1)
    coaches = [users["coach@rodeknop.test"], users["coach2@rodeknop.test"]]
    jurist = users["jurist@rodeknop.test"]
    supporters = [u for u in users.values() if not u.has_role("executive")]
    reporters = [users["medewerker@rodeknop.test"], users["collega@rodeknop.test"], *coaches]
    names = list(departments)
    addressees = {a.name: a.id for a in db.session.scalars(db.select(Addressee))}

    def backdate(report: Report, moment: datetime) -> None:
        for event in report.events:
            if event.created_at >= started:
                event.created_at = moment
        report.last_activity_at = moment
        report.updated_at = moment
        for name in ("resolved_at", "taken_on_at", "decided_at", "impact_confirmed_at"):
            if getattr(report, name) is not None and getattr(report, name) >= started:
                setattr(report, name, moment)

    dossiers: dict[int, tuple[Dossier, datetime, int | None]] = {}
    earlier: dict[str, Report] = {}
    solved: list[Report] = []
    for n in range(count):
        days_ago = rng.uniform(2, 360)
        created = now - timedelta(days=days_ago)
        department = names[(n * 7 + rng.randrange(3)) % len(names)]
        origin = rng.choice([Origin.OWN, Origin.OWN, Origin.NATIONAL, Origin.UNKNOWN])
        reporter = rng.choice(reporters)
        report = submit_report(
            reporter,
            rule=INSIGHT_RULES[n % len(INSIGHT_RULES)] + f" ({department.lower()})",
            problem="Collega's lopen hier elke week tegenaan; inwoners wachten langer dan nodig.",
            origin=origin.value,
            department_id=departments[department].id,
            anonymous=n % 9 == 0,
            now=created,
        )
        db.session.flush()
        backdate(report, created)
        same = earlier.get(INSIGHT_RULES[n % len(INSIGHT_RULES)])
        earlier.setdefault(INSIGHT_RULES[n % len(INSIGHT_RULES)], report)
        if same is not None and n % 5 == 0 and same.status != ReportStatus.MERGED.value:
            # The same rule as an earlier report: merged into it after a few days.
            db.session.expire(same, ["supports"])
            merger = next(
                c for c in coaches if not (report_actions(report, c).withheld or report_actions(same, c).withheld)
            )
            merge_report(report, same, actor=merger, explanation="Dezelfde regel als de eerdere melding.")
            backdate(report, created + timedelta(days=rng.choice([1, 2, 4, 9])))
            continue
        for supporter in rng.sample(supporters, rng.choice([0, 0, 1, 2, 3])):
            if supporter.id != reporter.id:
                support_report(supporter, report, None)
        backdate(report, created)
        # Taken on after half a day to a month; the newest may still wait.
        taken = created + timedelta(days=rng.choice([0.5, 1, 2, 3, 5, 8, 13, 21, 30]))
        if taken > now - timedelta(days=1) or rng.random() < 0.08:
            continue
        # Not a coach who follows it anonymously: a colleague handles that one.
        coach = rng.choice([c for c in coaches if not report_actions(report, c).withheld])
        assign_report(report, coach, actor=coach)
        backdate(report, taken)
        decided = taken + timedelta(days=rng.choice([1, 3, 6, 10, 15, 24, 40]))
        if decided > now - timedelta(hours=12) or rng.random() < 0.15:
            continue
        outcome = rng.choice(
            [ReportStatus.RESOLVED, ReportStatus.RESOLVED, ReportStatus.EXPLAINED, ReportStatus.ESCALATED]
            if origin is not Origin.NATIONAL
            else [ReportStatus.ESCALATED, ReportStatus.ESCALATED, ReportStatus.EXPLAINED]
        )
        law = INSIGHT_LAWS[rng.randrange(len(INSIGHT_LAWS))]
        # Most solved rules get an estimate of what they cost, which the coach confirms.
        estimate = (
            Estimate(
                rng.choice([4, 8, 15, 30, 60, 120]),
                rng.choice([10, 20, 30, 60, 120]),
                rng.choice([5, 10, 20, 45]),
                rng.choice([Affected.INHABITANTS, Affected.INHABITANTS, Affected.ENTREPRENEURS, Affected.STAFF]).value,
            )
            if outcome is ReportStatus.RESOLVED and rng.random() < 0.75
            else None
        )
        decide_report(
            report,
            actor=coach,
            outcome=outcome.value,
            explanation="Besproken in het weekoverleg; de melder krijgt uitleg.",
            what_changed="De werkwijze is aangepast." if outcome is ReportStatus.RESOLVED else None,
            legal=LegalReference(law[0], law[1], law[2]) if outcome is ReportStatus.ESCALATED else None,
            **({"estimate": estimate} if estimate else {}),
        )
        backdate(report, decided)
        if outcome is ReportStatus.RESOLVED:
            solved.append(report)
        if outcome is ReportStatus.ESCALATED and report.dossier_id not in dossiers:
            dossiers[report.dossier_id] = (report.dossier, decided, addressees.get(law[3]))
    db.session.flush()
    # Juridische Zaken sends most dossiers a week after they were made: one in four is still
    # being prepared, one in four waits for an answer that is late, the others got one.
    for number, (dossier, made, addressee_id) in enumerate(dossiers.values()):
        for event in dossier.events:
            if event.created_at >= started:
                event.created_at = made
        sent = made + timedelta(days=7)
        if number % 4 == 0 or sent > now or addressee_id is None:
            continue
        late = number % 4 == 1
        update_dossier(
            dossier,
            actor=jurist,
            reference=LegalReference(dossier.law_title, dossier.bwb_id, dossier.article),
            addressee_id=addressee_id,
            channel="Brief",
            sent_on=sent.date(),
            answer_due=(sent + timedelta(days=28 if late else 56)).date(),
            follow_up_on=(sent + timedelta(days=21)).date(),
            owner_id=jurist.id,
        )
        change_dossier_status(dossier, "sent", actor=jurist)
        answered = sent + timedelta(days=rng.choice([12, 25, 40, 60, 90]))
        moment = sent
        if not late and answered < now - timedelta(days=1):
            change_dossier_status(
                dossier,
                "answered",
                actor=jurist,
                answer="Het ministerie neemt het punt mee in de evaluatie van de wet.",
                answer_summary="Het ministerie neemt het mee in de evaluatie.",
            )
            moment = answered
        for event in dossier.events:
            if event.created_at >= started:
                event.created_at = moment if event.to_status == "answered" else sent
        for report in dossier.reports:
            for event in report.events:
                if event.created_at >= started:
                    event.created_at = moment
            report.last_activity_at = max(report.last_activity_at, moment.astimezone(UTC))
    db.session.flush()
    _insight_checkbacks(solved, rng)


def _insight_checkbacks(solved: list[Report], rng: random.Random) -> None:
    """'Merkbaar beter?' for the year's solved reports: asked CHECKBACK_WEEKS after the
    solution; most followers answer ja, some weet ik niet, a few do not answer, and one
    answers nee (that report is back on the board)."""
    from flask import current_app

    from app.models import CheckbackInvite
    from app.services.checkback import answer_checkback, ask_checkback

    weeks = timedelta(weeks=current_app.config["CHECKBACK_WEEKS"] or 6)
    now = utcnow()
    said_no = False
    for report in solved:
        if report.resolved_at + weeks > now:
            continue
        ask_checkback(report, now=report.resolved_at + weeks)
        db.session.flush()
        invites = db.session.scalars(
            db.select(CheckbackInvite).where(CheckbackInvite.report_id == report.id).order_by(CheckbackInvite.id)
        ).all()
        for invite in invites:
            draw = rng.random()
            if draw < 0.2:
                continue  # no answer
            if draw < 0.3 and not said_no:
                answer_checkback(
                    invite, "no", "Aan de balie merken we er nog weinig van: het oude formulier wordt nog gebruikt."
                )
                said_no = True
            elif draw < 0.45:
                answer_checkback(invite, "unsure", None)
            else:
                answer_checkback(invite, "yes", "Het scheelt merkbaar tijd." if draw > 0.8 else None)
    db.session.flush()
