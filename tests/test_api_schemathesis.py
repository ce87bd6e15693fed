"""Schemathesis against the LIVE OpenAPI document: the app served by a thread on a free
loopback port, the document loaded over HTTP, cases generated from it (valid and invalid
input) and sent with a valid token of each kind. Every response must be below 500 and
conform to the document (status, content type, headers, body schema). The counts appear
in the suite's summary (tests/summary.py)."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.serving import make_server

from app.extensions import db
from tests.api_helpers import token_for
from tests.factories import make_department, make_dossier, make_report, make_user
from tests.summary import section

SUMMARY = section("Schemathesis (tests/test_api_schemathesis.py)")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Cases per operation, per token and per kind of input: bounded, so the run stays short.
MAX_EXAMPLES = 6
# Path parameters of objects that exist (filled in by _tokens): valid input then also
# reaches real reports, dossiers and columns, not only 404s.
KNOWN: dict[str, object] = {}


@pytest.fixture
def live_server(app):
    """The app on 127.0.0.1 and a free port, in a thread of this process."""
    app.config["API_LIMIT_PER_TOKEN"] = "100000 per minute"
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _tokens(app) -> dict[str, str]:
    """A world with a report, a dossier and a token of each kind (every scope its role allows)."""
    with app.app_context():
        department = make_department("Belastingen")
        employee = make_user("Schema Medewerker", department=department)
        coach = make_user("Schema Coach", roles=("employee", "coach"))
        legal = make_user("Schema Jurist", roles=("employee", "legal"))
        executive = make_user("Schema Bestuur", roles=("employee", "executive"))
        report = make_report(
            employee, rule="Een regel over belastingen", problem="Dat gaat mis.", department_id=department.id
        )
        dossier = make_dossier(make_report(employee, rule="Landelijke regel", problem="Kan niet anders."), coach)
        db.session.commit()
        KNOWN.update(reference=report.reference, dossier_id=dossier.id, column="nieuw")
        return {
            "employee": token_for(employee),
            "coach": token_for(coach),
            "legal": token_for(legal),
            "executive": token_for(executive),
        }


def _path_names(operation) -> list[str]:
    return [name for name in KNOWN if "{" + name + "}" in operation.path]


def test_schemathesis_against_the_live_document(app, live_server):
    tokens = _tokens(app)
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    counts = {"cases": 0, "failures": 0}
    statuses: Counter = Counter()
    failures: list[str] = []

    def run_cases(operation, who: str, secret: str, mode: GenerationMode, known: bool = False) -> None:
        headers = {"Authorization": f"Bearer {secret}"}

        @settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def run(data):
            path = {name: KNOWN[name] for name in _path_names(operation)} if known else None
            case = data.draw(operation.as_strategy(generation_mode=mode, path_parameters=path))
            counts["cases"] += 1
            response = case.call(base_url=live_server, headers=headers, timeout=30)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Exception, BaseExceptionGroup) as error:  # a FailureGroup: counted and reported
                counts["failures"] += 1
                if len(failures) < 20:
                    failures.append(
                        f"{who} {mode.value} {operation.label}: {response.status_code} "
                        f"{type(error).__name__}: {str(error)[:600]}"
                    )

        run()

    for operation in operations:
        for who, secret in tokens.items():
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                run_cases(operation, who, secret, mode)
            if _path_names(operation):
                run_cases(operation, who, secret, GenerationMode.POSITIVE, known=True)

    dialect = "PostgreSQL" if "postgresql" in app.config["SQLALCHEMY_DATABASE_URI"] else "SQLite"
    SUMMARY.append(
        f"{dialect}: {len(operations)} operations, {counts['cases']} cases "
        f"({len(tokens)} tokens x valid and invalid input, and valid input on existing objects), {counts['failures']} failures; "
        "statuses " + ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    )
    assert counts["cases"] > len(operations) * len(tokens)
    assert not failures, "\n".join(failures)
