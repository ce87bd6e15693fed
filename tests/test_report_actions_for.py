"""report_actions_for (the board's one call for all its cards) answers exactly what
report_actions answers for each report, whoever asks."""

from __future__ import annotations

from app.anonymity import anonymously_followed
from app.extensions import db
from app.services.workflow import assign_report, decide_report, report_actions, report_actions_for
from tests.factories import make_report, make_user


def test_the_answer_for_a_list_is_the_answer_per_report(app):
    with app.app_context():
        coach = make_user("Eva Coach", email="eva@example.test", roles=("employee", "coach"))
        other = make_user("Daan Coach", email="daan@example.test", roles=("employee", "coach"))
        lawyer = make_user("Fatima Jurist", email="fatima@example.test", roles=("employee", "legal"))
        employee = make_user("Sanne Melder", email="sanne@example.test")
        reports = [
            make_report(employee, rule="Nieuw"),
            make_report(coach, rule="Anoniem van de coach", anonymous=True),
        ]
        for assignee, outcome in ((coach, None), (other, None), (coach, "resolved"), (other, "explained")):
            report = make_report(employee, rule=f"Regel {len(reports)}")
            assign_report(report, assignee, actor=assignee)
            if outcome:
                decide_report(report, actor=assignee, outcome=outcome, explanation="Uitleg.", what_changed="Anders.")
            reports.append(report)
        anonymous_for_coach = make_report(coach, rule="Nog een anonieme", anonymous=True)
        assign_report(anonymous_for_coach, other, actor=other)
        reports.append(anonymous_for_coach)
        db.session.commit()
        for user in (coach, other, lawyer, employee):
            anonymous = anonymously_followed(user, reports)
            many = report_actions_for(reports, user, anonymous)
            for report in reports:
                assert many[report.id] == report_actions(report, user), (user.name, report.rule)
