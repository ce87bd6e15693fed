"""Concurrent submissions: no 'database is locked', no lost or duplicate references."""

from __future__ import annotations

import threading

from app.extensions import db
from app.models import Report
from app.services.reports import submit_report
from tests.factories import make_user


def test_parallel_submissions_all_land_with_unique_references(app):
    with app.app_context():
        user_ids = [make_user().id for _ in range(6)]
        db.session.commit()
    errors: list[BaseException] = []
    per_thread = 5

    def work(user_id: int) -> None:
        from app.models import User

        try:
            for i in range(per_thread):
                with app.app_context():
                    user = db.session.get(User, user_id)
                    submit_report(
                        user, rule=f"Regel {user_id}-{i}", problem="Tegelijk gemeld", submission_key=f"{user_id}-{i}"
                    )
                    db.session.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    with app.app_context():
        numbers = db.session.scalars(db.select(Report.number)).all()
    assert len(numbers) == len(user_ids) * per_thread
    assert sorted(numbers) == list(range(1, len(numbers) + 1))
