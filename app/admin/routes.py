"""The administrator's area: users, roles, activation, departments, the addressees of escalations and webhooks."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_login import current_user

from app.admin.forms import (
    AddresseeForm,
    ConfirmForm,
    DepartmentForm,
    PasswordLinkForm,
    ResendForm,
    ResetTwoFactorForm,
    UserForm,
    WebhookForm,
)
from app.extensions import db
from app.forms import apply_domain_error, parse_id
from app.models import Addressee, Department, Dossier, User, Webhook, WebhookDelivery
from app.models.base import utcnow
from app.models.dossier import ADDRESSEE_KINDS
from app.permissions import area_required
from app.services import DomainError, mfa
from app.services.addressees import all_addressees, create_addressee, update_addressee
from app.services.audit import ACTIONS, audit_page
from app.services.dossiers import possible_owners
from app.services.handover import NOBODY, holdings, update_account
from app.services.users import (
    active_coaches,
    active_departments,
    create_department,
    create_user,
    has_password,
    send_invitation,
    send_password_reset,
    set_active,
    update_department,
)
from app.services.webhook_events import EVENTS
from app.services.webhooks import DeliveryHeld, delivery_page, register_webhook, renew_secret, update_webhook
from app.services.webhooks import delete_webhook as remove_webhook
from app.services.webhooks import resend_delivery as send_again
from app.services.webhooks import webhooks as all_webhooks
from app.web import csrf_failed, rerender_on_csrf_error, run_form

bp = Blueprint("admin", __name__)


@bp.route("/")
@area_required("admin")
def index():
    return redirect(url_for("admin.users"))


@bp.route("/gebruikers")
@area_required("admin")
def users():
    rows = db.session.scalars(db.select(User).order_by(User.name)).all()
    return render_template("admin/users.html", users=rows, has_password=has_password)


def _translated(labels: dict[str, str]) -> dict[str, str]:
    """A table of codes and their labels (marked with N_), in the reader's language."""
    return {code: gettext(label) for code, label in labels.items()}


def _department(department_id):
    return db.session.get(Department, department_id) if department_id else None


@bp.route("/gebruikers/nieuw", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def new_user():
    """A new account gets no password from the beheerder: its owner gets an invitation."""
    form = UserForm(departments=active_departments())
    if not form.is_submitted():
        return render_template("admin/user_form.html", form=form, user=None)

    def perform():
        user = create_user(
            email=form.email.data,
            name=form.name.data,
            roles=form.roles.data,
            department=_department(form.department_id.data),
            actor=current_user,
        )
        if form.active.data:
            send_invitation(user, actor=current_user)
            return gettext(
                "Account voor %(name)s aangemaakt. %(email)s krijgt een e-mail met een link om een wachtwoord te kiezen.",
                name=user.name,
                email=user.email,
            )
        set_active(user, False, actor=current_user)
        return gettext(
            "Account voor %(name)s aangemaakt, nog niet actief. Bij het activeren kunt u een uitnodiging sturen.",
            name=user.name,
        )

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.users"),
        render=lambda failure: (render_template("admin/user_form.html", form=form, user=None), failure.status),
    )


def _user_page(user: User, form, link_form, status: int = 200, reset_form=None):
    held = holdings(user)
    if n := len(held.reports):
        form.reports_to.label.text = ngettext(
            "Wie gaat achter de open melding aan?", "Wie gaat achter de %(count)s open meldingen aan?", n, count=n
        )
    if n := len(held.dossiers):
        form.dossiers_to.label.text = ngettext(
            "Wie wordt eigenaar van het open dossier?", "Wie wordt eigenaar van de %(count)s open dossiers?", n, count=n
        )
    return render_template(
        "admin/user_form.html",
        form=form,
        link_form=link_form,
        reset_form=reset_form or ResetTwoFactorForm(formdata=None),
        user=user,
        has_password=has_password(user),
        held=held,
    ), status


def _user_form(user: User, departments, **kwargs) -> UserForm:
    """The account form, with the colleagues who can take over its open work."""
    coaches = [u for u in active_coaches() if u.id != user.id]
    lawyers = [u for u in possible_owners() if u.id != user.id]
    return UserForm(obj=user, departments=departments, coaches=coaches, lawyers=lawyers, **kwargs)


def _stored_user_form(user: User, departments=None) -> UserForm:
    """The account form as stored (not as sent): shown beside another form on the page."""
    form = _user_form(user, active_departments() if departments is None else departments, formdata=None)
    form.roles.data = sorted(user.roles)
    form.department_id.data = user.department_id
    return form


def _holder(value: str | None) -> User | str | None:
    """The chosen new holder: a user, NOBODY, or None (not chosen)."""
    if value == NOBODY:
        return NOBODY
    user_id = parse_id(value)
    return db.session.get(User, user_id) if user_id else None


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def edit_user(user_id: int):
    user = db.get_or_404(User, user_id)
    departments = active_departments()
    if user.department is not None and user.department not in departments:
        departments.append(user.department)
    form = _user_form(user, departments)
    link_form = PasswordLinkForm(formdata=None)
    if not form.is_submitted():
        return _user_page(user, _stored_user_form(user, departments), link_form)

    def perform():
        update_account(
            user,
            name=form.name.data,
            email=form.email.data,
            department=_department(form.department_id.data),
            roles=form.roles.data,
            active=form.active.data,
            reports_to=_holder(form.reports_to.data),
            dossiers_to=_holder(form.dossiers_to.data),
            actor=current_user,
        )
        return gettext("Gegevens van %(name)s opgeslagen.", name=user.name)

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.users"),
        render=lambda failure: _user_page(user, form, link_form, failure.status),
    )


@bp.route("/gebruikers/<int:user_id>/wachtwoordlink", methods=["POST"])
@area_required("admin")
@rerender_on_csrf_error
def send_password_link(user_id: int):
    """The beheerder never sets a password: the owner gets a link to choose one."""
    user = db.get_or_404(User, user_id)
    link_form = PasswordLinkForm()

    def perform():
        if not user.active:
            raise DomainError(gettext("Dit account is niet actief. Activeer het eerst."))
        send_password_reset(user, actor=current_user)
        if has_password(user):
            return gettext(
                "%(email)s krijgt een e-mail met een link om een nieuw wachtwoord te kiezen.", email=user.email
            )
        return gettext("%(email)s krijgt een e-mail met een link om een wachtwoord te kiezen.", email=user.email)

    form = _stored_user_form(user)
    return run_form(
        link_form,
        perform,
        success="",
        redirect_to=url_for("admin.edit_user", user_id=user.id),
        render=lambda failure: _user_page(user, form, link_form, failure.status),
    )


@bp.route("/gebruikers/<int:user_id>/tweestapsverificatie", methods=["POST"])
@area_required("admin")
@rerender_on_csrf_error
def reset_two_factor(user_id: int):
    """A lost phone: the beheerder wipes the second factor (never seeing the secret); the
    owner is mailed, logged out everywhere, and sets it up again."""
    user = db.get_or_404(User, user_id)
    reset_form = ResetTwoFactorForm()

    def perform():
        mfa.reset(user, actor=current_user)
        return gettext(
            "De tweestapsverificatie van %(name)s is gewist. %(name)s krijgt daarover een e-mail.", name=user.name
        )

    form = _stored_user_form(user)
    return run_form(
        reset_form,
        perform,
        success="",
        redirect_to=url_for("admin.edit_user", user_id=user.id),
        render=lambda failure: _user_page(
            user, form, PasswordLinkForm(formdata=None), failure.status, reset_form=reset_form
        ),
    )


@bp.route("/logboek")
@area_required("admin")
def audit():
    """The audit trail: accounts, logins and changes to the lists, newest first."""
    action = request.args.get("actie", "")
    action = action if action in ACTIONS else ""
    page = parse_id(request.args.get("pagina")) or 1
    lines, more = audit_page(action=action or None, page=page)
    return render_template(
        "admin/audit.html", lines=lines, more=more, page=page, action=action, actions=_translated(ACTIONS)
    )


@bp.route("/afdelingen", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def departments():
    form = DepartmentForm()

    def render(status: int = 200):
        rows = db.session.scalars(db.select(Department).order_by(Department.name)).all()
        return render_template("admin/departments.html", form=form, departments=rows), status

    if not form.is_submitted():
        return render()
    return run_form(
        form,
        lambda: gettext(
            "Afdeling %(name)s toegevoegd.", name=create_department(form.name.data, actor=current_user).name
        ),
        success="",
        redirect_to=url_for("admin.departments"),
        render=lambda failure: render(failure.status),
    )


@bp.route("/afdelingen/<int:department_id>", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def edit_department(department_id: int):
    department = db.get_or_404(Department, department_id)
    form = DepartmentForm(obj=department)

    def render(status: int = 200):
        return render_template("admin/department_form.html", form=form, department=department), status

    def perform():
        update_department(department, name=form.name.data, active=form.active.data, actor=current_user)
        return gettext("Afdeling %(name)s opgeslagen.", name=department.name)

    if not form.is_submitted():
        return render()
    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.departments"),
        render=lambda failure: render(failure.status),
    )


# --- addressees of escalations ---------------------------------------------------------


def _addressee_form(addressee: Addressee | None = None) -> AddresseeForm:
    lawyers = possible_owners()
    if addressee is not None and addressee.default_owner is not None and addressee.default_owner not in lawyers:
        lawyers.append(addressee.default_owner)  # shown as it is, until the beheerder changes it
    form = AddresseeForm(obj=addressee, lawyers=lawyers)
    if not form.default_owner_id.raw_data:  # not sent: as it is
        form.default_owner_id.data = str(addressee.default_owner_id or "") if addressee is not None else ""
    return form


@bp.route("/geadresseerden", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def addressees():
    form = _addressee_form()

    def render(status: int = 200):
        in_use = dict(
            db.session.execute(
                db.select(Dossier.addressee_id, db.func.count(Dossier.id))
                .where(Dossier.addressee_id.is_not(None))
                .group_by(Dossier.addressee_id)
            ).all()
        )
        return render_template(
            "admin/addressees.html",
            form=form,
            addressees=all_addressees(),
            in_use=in_use,
            kinds=_translated(ADDRESSEE_KINDS),
        ), status

    if not form.is_submitted():
        return render()
    return run_form(
        form,
        lambda: gettext(
            "Geadresseerde %(name)s toegevoegd.",
            name=create_addressee(
                form.name.data,
                form.kind.data,
                actor=current_user,
                default_owner_id=parse_id(form.default_owner_id.data),
            ).name,
        ),
        success="",
        redirect_to=url_for("admin.addressees"),
        render=lambda failure: render(failure.status),
    )


@bp.route("/geadresseerden/<int:addressee_id>", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def edit_addressee(addressee_id: int):
    addressee = db.get_or_404(Addressee, addressee_id)
    form = _addressee_form(addressee)

    def render(status: int = 200):
        return render_template("admin/addressee_form.html", form=form, addressee=addressee), status

    def perform():
        update_addressee(
            addressee,
            name=form.name.data,
            kind=form.kind.data,
            active=form.active.data,
            actor=current_user,
            default_owner_id=parse_id(form.default_owner_id.data),
        )
        return gettext("Geadresseerde %(name)s opgeslagen.", name=addressee.name)

    if not form.is_submitted():
        return render()
    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.addressees"),
        render=lambda failure: render(failure.status),
    )


# --- webhooks --------------------------------------------------------------------------


def _secret_page(webhook: Webhook, secret: str, *, first: bool):
    """The signing secret, this once (app.services.webhooks stores it encrypted)."""
    return render_template("admin/webhook_secret.html", webhook=webhook, secret=secret, first=first)


@bp.route("/webhooks", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def webhooks():
    """The registered webhooks, and registering one."""
    form = WebhookForm()

    def render(status: int = 200):
        return render_template(
            "admin/webhooks.html", form=form, webhooks=all_webhooks(), events=_translated(EVENTS)
        ), status

    if not form.is_submitted():
        return render()
    if not form.validate_on_submit() or csrf_failed(form):
        return render(400)
    try:
        webhook, secret = register_webhook(form.url.data, form.events.data, active=form.active.data, actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        apply_domain_error(form, error)
        return render(400)
    return _secret_page(webhook, secret, first=True)


def _webhook_page(
    webhook: Webhook, form, *, delete_form=None, secret_form=None, submitted: str | None = None, status: int = 200
):
    """`submitted`: the form that came back with its messages (edit, delete or secret)."""
    page = parse_id(request.args.get("pagina")) or 1
    deliveries, more = delivery_page(webhook, page=page)
    return render_template(
        "admin/webhook.html",
        webhook=webhook,
        form=form,
        delete_form=delete_form or ConfirmForm(formdata=None, prefix="delete"),
        secret_form=secret_form or ConfirmForm(formdata=None, prefix="secret"),
        deliveries=deliveries,
        more=more,
        page=page,
        events=_translated(EVENTS),
        now=utcnow(),
        submitted=submitted,
    ), status


def _stored_webhook_form(webhook: Webhook) -> WebhookForm:
    form = WebhookForm(formdata=None, obj=webhook)
    form.events.data = webhook.event_list
    return form


@bp.route("/webhooks/<int:webhook_id>", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def edit_webhook(webhook_id: int):
    """One webhook: change it, and its delivery log with 'opnieuw versturen'."""
    webhook = db.get_or_404(Webhook, webhook_id)
    form = WebhookForm()
    if not form.is_submitted():
        return _webhook_page(webhook, _stored_webhook_form(webhook))

    def perform():
        update_webhook(webhook, form.url.data, form.events.data, active=form.active.data, actor=current_user)
        return gettext("Webhook opgeslagen.")

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.edit_webhook", webhook_id=webhook.id),
        render=lambda failure: _webhook_page(webhook, form, submitted="edit", status=failure.status),
    )


@bp.route("/webhooks/<int:webhook_id>/verwijderen", methods=["POST"])
@area_required("admin")
@rerender_on_csrf_error
def delete_webhook(webhook_id: int):
    webhook = db.get_or_404(Webhook, webhook_id)
    delete_form = ConfirmForm(prefix="delete")

    def perform():
        url = webhook.url
        remove_webhook(webhook, actor=current_user)
        return gettext("Webhook %(url)s verwijderd, met zijn berichten.", url=url)

    return run_form(
        delete_form,
        perform,
        success="",
        redirect_to=url_for("admin.webhooks"),
        render=lambda failure: _webhook_page(
            webhook, _stored_webhook_form(webhook), delete_form=delete_form, submitted="delete", status=failure.status
        ),
    )


@bp.route("/webhooks/<int:webhook_id>/geheim", methods=["POST"])
@area_required("admin")
@rerender_on_csrf_error
def renew_webhook_secret(webhook_id: int):
    """A new signing secret (the old one stops at once), shown once."""
    webhook = db.get_or_404(Webhook, webhook_id)
    secret_form = ConfirmForm(prefix="secret")
    if secret_form.validate_on_submit() and not csrf_failed(secret_form):
        secret = renew_secret(webhook, actor=current_user)
        db.session.commit()
        return _secret_page(webhook, secret, first=False)
    return _webhook_page(
        webhook, _stored_webhook_form(webhook), secret_form=secret_form, submitted="secret", status=400
    )


@bp.route("/webhooks/<int:webhook_id>/berichten/<int:delivery_id>/opnieuw", methods=["POST"])
@area_required("admin")
@rerender_on_csrf_error
def resend_delivery(webhook_id: int, delivery_id: int):
    webhook = db.get_or_404(Webhook, webhook_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_id != webhook.id:
        abort(404)
    form = ResendForm()

    def perform():
        send_again(delivery, actor=current_user)
        return gettext("Het bericht gaat bij de volgende ronde opnieuw weg.")

    def held(error: DeliveryHeld):
        flash(error.message, "error")
        return redirect(url_for("admin.edit_webhook", webhook_id=webhook.id), 303)

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("admin.edit_webhook", webhook_id=webhook.id),
        render=lambda failure: _webhook_page(webhook, _stored_webhook_form(webhook), status=failure.status),
        escapes={DeliveryHeld: held},
    )
