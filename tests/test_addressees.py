"""The beheerder keeps the list of addressees (ministries, agencies, VNG, ...) that Juridische
Zaken can send an escalation to: add, rename, change the kind, deactivate; audited."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import Addressee, AuditEntry, Dossier, User
from tests.test_dossiers import (
    ADMIN,
    COACH,
    EMPLOYEE,
    LEGAL,
    build_world,
    dossier_path,
    login,
    post_on_page,
    text_of,
)

LIST = "/beheer/geadresseerden"


@pytest.fixture
def world(app):
    return build_world(app)


def _addressee(app, name: str) -> Addressee | None:
    with app.app_context():
        addressee = db.session.scalar(db.select(Addressee).where(Addressee.name == name))
        if addressee is not None:
            db.session.expunge(addressee)
        return addressee


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Addressee.id)))


def test_the_beheerder_adds_an_addressee(app, world):
    client = login(app, ADMIN)
    page = text_of(client.get(LIST))
    assert "Ministerie van Sociale Zaken en Werkgelegenheid" in page and "Uitvoeringsorganisatie" in page
    assert 'aria-current="page">Geadresseerden' in page
    response = post_on_page(
        client, LIST, LIST, {"name": "  Ministerie van   Economische Zaken ", "kind": "ministry"}, page=page
    )
    assert response.status_code == 303
    added = _addressee(app, "Ministerie van Economische Zaken")
    assert added is not None and (added.kind, added.active) == ("ministry", True)
    assert "Geadresseerde Ministerie van Economische Zaken toegevoegd." in text_of(client.get(LIST))
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "addressee_created"))
        assert entry.object_id == added.id and entry.actor_id == db.session.scalar(
            db.select(User.id).where(User.email == ADMIN)
        )
    # Juridische Zaken can choose it right away.
    assert "Ministerie van Economische Zaken</option>" in text_of(login(app, LEGAL).get(dossier_path(world["dossier"])))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "ministry"}, "Vul de naam van de geadresseerde in."),
        ({"name": "uwv", "kind": "agency"}, "Er is al een geadresseerde met deze naam."),
        ({"name": "Kadaster", "kind": "planet"}, "Kies een van de mogelijkheden in de lijst."),
        ({"name": "Kadaster", "kind": ""}, "Kies een soort."),
        ({"name": "K" * 201, "kind": "agency"}, "Gebruik maximaal 200 tekens."),
    ],
)
def test_bad_addressees_are_refused_in_dutch(app, data, message):
    with app.app_context():
        from tests.factories import make_user

        make_user("Ada Admin", email=ADMIN, roles=("employee", "admin"))
        db.session.commit()
    before = _count(app)
    client = login(app, ADMIN)
    response = post_on_page(client, LIST, LIST, data)
    assert response.status_code == 400
    page = text_of(response)
    assert message in page and "data-error-summary" in page
    if data["name"]:
        assert data["name"] in page, "what was typed stays"
    assert _count(app) == before


def test_rename_change_kind_and_deactivate(app, world):
    client = login(app, ADMIN)
    uwv = _addressee(app, "UWV")
    path = f"{LIST}/{uwv.id}"
    page = text_of(client.get(path))
    assert 'value="UWV"' in page
    response = post_on_page(
        client, path, path, {"name": "UWV (Uitvoeringsinstituut Werknemersverzekeringen)", "kind": "agency"}, page=page
    )
    assert response.status_code == 303
    changed = _addressee(app, "UWV (Uitvoeringsinstituut Werknemersverzekeringen)")
    assert changed.id == uwv.id and changed.active is False, "an unticked box deactivates"
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "addressee_updated"))
        assert "naam: UWV -> UWV (Uitvoeringsinstituut Werknemersverzekeringen)" in entry.detail
        assert "niet actief" in entry.detail
    assert "Niet actief" in text_of(client.get(LIST))
    # No longer offered to Juridische Zaken.
    assert f'value="{uwv.id}"' not in text_of(login(app, LEGAL).get(dossier_path(world["dossier"])))
    # Renaming onto another's name is refused, nothing changes.
    vng = _addressee(app, "Vereniging van Nederlandse Gemeenten (VNG)")
    response = post_on_page(client, path, path, {"name": vng.name.upper(), "kind": "vng", "active": "y"})
    assert response.status_code == 400
    assert "Er is al een geadresseerde met deze naam." in text_of(response)
    unchanged = _addressee(app, "UWV (Uitvoeringsinstituut Werknemersverzekeringen)")
    assert (unchanged.kind, unchanged.active) == ("agency", False)


def test_a_post_without_fields_changes_nothing(app, world):
    client = login(app, ADMIN)
    uwv = _addressee(app, "UWV")
    page = text_of(client.get(f"{LIST}/{uwv.id}"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    response = client.post(f"{LIST}/{uwv.id}", data={"csrf_token": token})
    assert response.status_code == 400
    after = _addressee(app, "UWV")
    assert (after.kind, after.active) == ("agency", True)


def test_a_deactivated_addressee_stays_on_its_dossiers(app, world):
    uwv = _addressee(app, "UWV")
    with app.app_context():
        db.session.get(Dossier, world["dossier"]).addressee_id = uwv.id
        db.session.commit()
    client = login(app, ADMIN)
    path = f"{LIST}/{uwv.id}"
    assert post_on_page(client, path, path, {"name": "UWV", "kind": "agency"}).status_code == 303
    page = text_of(client.get(LIST))
    row = re.search(r"<tr class=\"utrecht-table__row\">\s*<td[^>]*><a[^>]*>UWV</a>.*?</tr>", page, re.S).group(0)
    assert "Niet actief" in row and ">1<" in row
    assert "UWV" in text_of(login(app, LEGAL).get(dossier_path(world["dossier"])))


@pytest.mark.parametrize("email", [LEGAL, COACH, EMPLOYEE])
def test_only_the_beheerder_keeps_the_list(app, world, email):
    client = login(app, email)
    uwv = _addressee(app, "UWV")
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}/{uwv.id}").status_code == 403
    token = re.search(r'name="csrf_token" value="([^"]+)"', text_of(client.get("/"))).group(1)
    assert client.post(LIST, data={"csrf_token": token, "name": "Kadaster", "kind": "agency"}).status_code == 403
    assert _addressee(app, "Kadaster") is None
    anonymous = app.test_client().get(LIST)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/inloggen")
    assert login(app, ADMIN).get(f"{LIST}/999999").status_code == 404
