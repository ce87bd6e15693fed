"""The register's pages (RODEKNOP_MODE=register): the law articles municipalities raised,
a page per article (who raised it, since when, what each was told, the shared letter),
and the beheerder's members page. The articles are public: they hold nothing personal."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user

from app.extensions import db
from app.models import RegisterMember
from app.permissions import area_required
from app.register import messages
from app.register.forms import MemberActiveForm, MemberForm
from app.services.dossiers import BWB_RE
from app.services.register_book import add_member, article, articles, members, refusals, set_member_active
from app.web import rerender_on_csrf_error, run_form

bp = Blueprint("register", __name__)


@bp.route("/")
def index():
    return render_template("register/index.html", articles=articles())


@bp.route("/<bwb_id>/<slug>")
def article_page(bwb_id: str, slug: str):
    if not BWB_RE.match(bwb_id) or len(slug) > 100:
        abort(404)
    found = article(bwb_id, "" if slug == "-" else slug)
    if found is None:
        abort(404)
    return render_template("register/article.html", article=found)


@bp.route("/leden", methods=["GET", "POST"])
@area_required("admin")
@rerender_on_csrf_error
def member_list():
    form = MemberForm()

    def render(status: int = 200):
        return render_template(
            "register/members.html", form=form, members=members(), refusals=refusals(), toggle=MemberActiveForm()
        ), status

    if not form.is_submitted():
        return render()

    def perform():
        member = add_member(form.name.data, form.public_key.data, actor=current_user)
        return gettext(messages.MEMBER_ADDED, name=member.name, id=member.id)

    return run_form(
        form, perform, success="", redirect_to=url_for("register.member_list"), render=lambda f: render(f.status)
    )


@bp.route("/leden/<int:member_id>/actief", methods=["POST"])
@area_required("admin")
def toggle_member(member_id: int):
    member = db.get_or_404(RegisterMember, member_id)
    form = MemberActiveForm()

    def perform():
        set_member_active(member, not member.active, actor=current_user)
        return gettext(messages.MEMBER_ACTIVE if member.active else messages.MEMBER_INACTIVE, name=member.name)

    return run_form(
        form,
        perform,
        success="",
        redirect_to=url_for("register.member_list"),
        render=lambda failure: redirect(url_for("register.member_list")),
    )
