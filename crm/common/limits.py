"""How large a request may be, and the bounds of the file readers, from the config.

* Every request body is capped before anything is read (werkzeug refuses a Content-Length
  past the cap, and stops a chunked body at it): `MAX_CONTENT_LENGTH` (64 MB) for the pages
  that take a file upload (UPLOAD_ENDPOINTS), `CRM_MAX_REQUEST_BYTES` (1 MB) for every other
  route, /login included. Past it: 413 and a page that says what happened.
* The importers' bounds (importers/limits.py: rows, columns, cells, cell length, bytes a zip
  may inflate to, vCard lines) come from `CRM_IMPORT_MAX_*` (config, else the environment).
"""
from __future__ import annotations

from flask import Flask, Request, current_app, render_template, request
from flask_babel import gettext as _

from importers import limits as import_limits

#: Endpoints whose form takes a file: only they accept a body up to MAX_CONTENT_LENGTH.
UPLOAD_ENDPOINTS = frozenset({"imports.index", "screening.import_list", "requests.new"})

MB = 1024 * 1024


class LimitedRequest(Request):
    """A request whose body limit depends on the route: uploads get MAX_CONTENT_LENGTH, every
    other route CRM_MAX_REQUEST_BYTES (the route is known before the body is read)."""

    @property
    def max_content_length(self) -> int | None:  # type: ignore[override]
        if self._max_content_length is not None:
            return self._max_content_length
        if not current_app:
            return super().max_content_length
        upload = current_app.config.get("MAX_CONTENT_LENGTH")
        if self.endpoint in UPLOAD_ENDPOINTS:
            return upload
        small = current_app.config.get("CRM_MAX_REQUEST_BYTES")
        if small is None:
            return upload
        return min(small, upload) if upload is not None else small

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def _megabytes(value: int | None) -> str:
    if value is None:
        return "—"
    return f"{value / MB:g} MB" if value >= MB else f"{value / 1024:g} KB"


def init_app(app: Flask) -> None:
    app.request_class = LimitedRequest
    import_limits.from_config(app.config)

    @app.errorhandler(413)
    def _too_large(e):
        limit = request.max_content_length
        if request.endpoint in UPLOAD_ENDPOINTS:
            message = _("The file you sent is larger than this form accepts (at most %(limit)s "
                        "with the form). Nothing was read or saved. Split the file into "
                        "smaller ones and send them one by one.", limit=_megabytes(limit))
        else:
            message = _("What you sent is larger than this page accepts (at most %(limit)s). "
                        "Nothing was read or saved.", limit=_megabytes(limit))
        return render_template("errors/error.html", code=413, title=_("Too large"),
                               message=message), 413
