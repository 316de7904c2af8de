"""The glossary pages: every entry (anyone who sees records), and adding, changing and deleting
entries (glossary.edit: administrators). Matching uses the changed glossary at once."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from crm.common.forms import ConfirmForm
from crm.common.text import nfkc
from crm.common.views import get_or_404, like, paginate, render_list, require, save_form
from crm.glossary import services
from crm.glossary.forms import GlossaryEntryForm
from crm.glossary.models import GlossaryEntry

bp = Blueprint("glossary", __name__, url_prefix="/glossary")

SORTS = {"ja": GlossaryEntry.ja, "en": func.lower(GlossaryEntry.en),
         "updated": GlossaryEntry.updated_at}


def _search(stmt: Select, q: str) -> Select:
    text = nfkc(q)
    return stmt.where(or_(GlossaryEntry.ja.like(like(text), escape="\\"),
                          GlossaryEntry.en.ilike(like(text), escape="\\")))


@bp.get("/")
@require("records.view")
def index():
    """Every pair of terms, searchable in either language."""
    page = paginate(select(GlossaryEntry), search=_search, sorts=SORTS, default_sort="ja")
    return render_list("glossary/index.html", page=page, delete_form=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@require("glossary.edit")
def edit(entry_id: int | None = None):
    """Add a pair of terms, or change one."""
    entry = get_or_404(GlossaryEntry, entry_id) if entry_id else None
    form = GlossaryEntryForm(obj=entry)
    return save_form(
        form, lambda: services.save_entry(entry, form.data_for_service()),
        message=lambda saved: _("Saved %(ja)s = %(en)s.", ja=saved.ja, en=saved.en),
        target=lambda saved: url_for("glossary.index", q=saved.ja),
        render=lambda: render_template("glossary/form.html", form=form, entry=entry),
        record=entry,
    )


@bp.post("/<int:entry_id>/delete")
@require("glossary.edit")
def delete(entry_id: int):
    """Delete a pair of terms (a POST with the list page's token)."""
    entry = get_or_404(GlossaryEntry, entry_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The page had expired; nothing was deleted. Please try again."), "danger")
        return redirect(url_for("glossary.index")), 303
    label = f"{entry.ja} = {entry.en}"
    services.delete_entry(entry)
    flash(_("Deleted %(pair)s.", pair=label), "success")
    return redirect(url_for("glossary.index"))
