"""Import pages: upload a file, map its columns, preview (the dry run), commit or discard.

Everything needs the "import" permission; a batch is seen only by the user who uploaded it, or
by a manager or administrator (others get a 404, as if it did not exist).
"""
from __future__ import annotations

import math

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.common.forms import ConfirmForm
from crm.common.params import page_number
from crm.common.services import ValidationError
from crm.common.views import require
from crm.extensions import db
from crm.imports import services
from crm.imports.forms import (
    FORMAT_LABELS,
    KIND_LABELS,
    KIND_LIST_ENDPOINTS,
    POLICY_LABELS,
    MappingForm,
    UploadForm,
)
from crm.imports.models import ImportBatch, SavedMapping
from importers.base import MAX_FILE_BYTES, ImportFileError
from importers.fields import FIELDS
from importers.mapping import may_repeat

bp = Blueprint("imports", __name__, url_prefix="/imports")

#: Rows per page of the preview's tables.
PER_PAGE = 50
#: Batches listed under the upload form.
RECENT = 20


def _sees_all() -> bool:
    return bool(current_user.roles & {"manager", "admin"})


#: Importing records creates and edits them: beyond "import", each kind needs the permission
#: that edits it (bd imports companies and seeds, but not donations).
KIND_PERMISSIONS = {"donations": "donations.edit", "researchers": "research.edit",
                    "seeds": "research.edit", "researchmap": "research.edit"}


def _may_import(kind: str) -> bool:
    return current_user.can(KIND_PERMISSIONS.get(kind, "records.edit"))


def _batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or not (_sees_all() or batch.created_by_id == current_user.id):
        abort(404)
    if not _may_import(batch.kind):
        abort(403)  # its preview shows the records' values (donation amounts ...)
    return batch


def _mappings() -> list[SavedMapping]:
    return list(db.session.scalars(select(SavedMapping).order_by(SavedMapping.kind,
                                                                 SavedMapping.name)))


def _recent() -> list[ImportBatch]:
    stmt = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(RECENT)
    if not _sees_all():
        stmt = stmt.where(ImportBatch.created_by_id == current_user.id)
    return list(db.session.scalars(stmt))


def _limit_text() -> str:
    return _("Up to %(mb)s MB: CSV (UTF-8, Shift_JIS/CP932 or UTF-16), Excel .xlsx, vCard, "
             "Eight, Google or Outlook contacts.", mb=MAX_FILE_BYTES // (1024 * 1024)) + " " + _(
        "researchmap: a researcher's JSON (api.researchmap.jp), a JSON-lines export, or a zip "
        "of them.")


@bp.route("/", methods=["GET", "POST"])
@require("import")
def index():
    """The upload form; a readable file becomes a pending batch and its preview."""
    mappings = _mappings()
    form = UploadForm(mappings=mappings)
    form.kind.choices = [c for c in form.kind.choices if _may_import(c.value)]
    if form.validate_on_submit():
        data = form.file.data.read(MAX_FILE_BYTES + 1)
        filename = form.file.data.filename or "upload"
        mapping = None
        if form.saved_mapping.data:
            saved = db.session.get(SavedMapping, int(form.saved_mapping.data))
            if saved is None or saved.kind != form.kind.data:
                form.saved_mapping.errors = list(form.saved_mapping.errors) + [
                    _("This mapping is for another kind of record.")]
            else:
                # Headers, not the file type, are what a mapping is about: the same sheet saved
                # as .xlsx once and as CSV the next time maps the same way.
                mapping = saved.mapping_dict
        if len(data) > MAX_FILE_BYTES:
            form.file.errors = list(form.file.errors) + [_(
                "The file is larger than the limit of %(mb)s MB; split it into smaller files.",
                mb=MAX_FILE_BYTES // (1024 * 1024))]
        if not form.errors:
            try:
                batch = services.create_batch(data, filename, form.kind.data,
                                              policy=form.policy.data, format=form.format.data,
                                              mapping=mapping, by=current_user)
            except ImportFileError as err:
                form.file.errors = list(form.file.errors) + [str(err)]
            else:
                return redirect(url_for("imports.show", batch_id=batch.id))
    status = 422 if request.method == "POST" else 200
    return render_template("imports/index.html", form=form, batches=_recent(),
                           limit_text=_limit_text(), KIND_LABELS=KIND_LABELS), status


def _page(items: list, arg: str) -> tuple[list, int, int]:
    pages = max(1, math.ceil(len(items) / PER_PAGE))
    page = min(pages, page_number(arg))
    return items[(page - 1) * PER_PAGE:page * PER_PAGE], page, pages


@bp.get("/<int:batch_id>")
@require("import")
def show(batch_id: int):
    """A pending batch's preview (detected format, column mapping, counts, rejected and
    changed rows), or the result of a committed one."""
    batch = _batch(batch_id)
    if batch.status == "committed":
        summary = batch.summary_dict
        rejected, rpage, rpages = _page(summary.get("rejected", []), "rp")
        return render_template("imports/result.html", batch=batch, summary=summary,
                               rejected=rejected, rpage=rpage, rpages=rpages,
                               KIND_LABELS=KIND_LABELS, fields=FIELDS[batch.kind],
                               also_labels=services.importer_class(batch.kind).also_counts,
                               list_url=url_for(KIND_LIST_ENDPOINTS[batch.kind]))
    return _preview(batch, MappingForm(policy=batch.policy))


def _preview(batch: ImportBatch, form: MappingForm, status: int = 200):
    preview = batch.preview_dict
    rejected, rpage, rpages = _page(preview.get("rejected", []), "rp")
    changes, cpage, cpages = _page(preview.get("changes", []), "cp")
    fields = FIELDS[batch.kind]
    return render_template(
        "imports/preview.html", batch=batch, preview=preview, form=form, confirm=ConfirmForm(),
        fields=fields, rejected=rejected, rpage=rpage, rpages=rpages, changes=changes,
        cpage=cpage, cpages=cpages, KIND_LABELS=KIND_LABELS, FORMAT_LABELS=FORMAT_LABELS,
        POLICY_LABELS=POLICY_LABELS), status


def _pending(batch: ImportBatch):
    """None when the batch can still change; else a redirect saying why not."""
    if batch.status == "pending":
        return None
    flash(_("This import was already committed; nothing was changed.")
          if batch.status == "committed" else _("This import was discarded."), "warning")
    return redirect(url_for("imports.show", batch_id=batch.id)
                    if batch.status == "committed" else url_for("imports.index"))


@bp.post("/<int:batch_id>/mapping")
@require("import")
def remap(batch_id: int):
    """Preview again with the columns mapped as chosen (and save the mapping if named)."""
    batch = _batch(batch_id)
    done = _pending(batch)
    if done is not None:
        return done
    form = MappingForm()
    if not form.validate_on_submit():
        return _preview(batch, form, 422)
    headers = batch.preview_dict.get("headers", [])
    fields = FIELDS[batch.kind]
    mapping: dict[str, str] = {}
    for i, header in enumerate(headers):
        chosen = request.form.get(f"map-{i}", "")
        if chosen and chosen not in fields:
            form.form_errors.append(_("Column %(column)s: pick a field from the list.",
                                      column=header))
        mapping[header] = chosen
    used = [f for f in mapping.values() if f]
    twice = sorted({f for f in used if used.count(f) > 1 and not may_repeat(f, batch.kind)})
    if twice:
        form.form_errors.append(_("Each field can come from one column only: %(fields)s.",
                                  fields=", ".join(_(fields[f]) for f in twice)))
    if form.form_errors:
        return _preview(batch, form, 422)
    try:
        services.replan_batch(batch, mapping=mapping, policy=form.policy.data, by=current_user)
        if form.mapping_name.data:
            services.save_mapping(form.mapping_name.data, batch.kind, mapping,
                                  format=batch.format, by=current_user)
    except ImportFileError as err:
        form.form_errors.append(str(err))
        return _preview(batch, form, 422)
    except ValidationError as err:
        form.form_errors.extend(err.errors.values())
        return _preview(batch, form, 422)
    if form.mapping_name.data:
        flash(_("Saved the mapping as %(name)s.", name=form.mapping_name.data), "success")
    return redirect(url_for("imports.show", batch_id=batch.id))


@bp.post("/<int:batch_id>/commit")
@require("import")
def commit(batch_id: int):
    """Write every accepted row, in one transaction, once."""
    batch = _batch(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done = _pending(batch)
    if done is not None:
        return done
    try:
        summary = services.commit_batch(batch, by=current_user)
    except services.AlreadyCommitted:
        flash(_("This import was already committed; nothing was changed."), "warning")
        return redirect(url_for("imports.show", batch_id=batch.id))
    except (services.CommitError, ImportFileError) as err:
        db.session.rollback()
        flash(str(err), "danger")
        return _preview(db.session.get(ImportBatch, batch_id), MappingForm(policy=batch.policy),
                        409)
    flash(_("Imported: %(created)s created, %(updated)s updated, %(merged)s merged, "
            "%(unchanged)s unchanged, %(rejected)s rejected.",
            **{**summary, "rejected": len(summary["rejected"])}), "success")
    if summary["conflicts"]:
        flash(_("%(num)s values were kept: the file had lost characters in them (see the list).",
                num=len(summary["conflicts"])), "warning")
    return redirect(url_for("imports.show", batch_id=batch.id))


@bp.post("/<int:batch_id>/discard")
@require("import")
def discard(batch_id: int):
    """Drop a pending batch (its file is deleted); nothing is imported."""
    batch = _batch(batch_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    done = _pending(batch)
    if done is not None:
        return done
    services.discard_batch(batch)
    flash(_("Discarded %(file)s; nothing was imported.", file=batch.filename), "success")
    return redirect(url_for("imports.index"))
