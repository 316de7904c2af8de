"""A user at a browser, for the edit-conflict tests: `get` opens a page, `submit` sends one of
its POST forms as rendered (hidden fields, token, version, selected options, ticked boxes) with
only what the user types changed, and refuses a field the form does not have.

The same contract as the test client's `submit` (tests/conftest.py) once it posts forms as
rendered; kept here so these tests send what a browser sends whatever the client does.
"""
from __future__ import annotations

from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from werkzeug.datastructures import MultiDict


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self._textarea: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action"), "method": a.get("method", "get").lower(),
                          "controls": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        if tag == "input" and "name" in a and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "reset", "image", "file"):
                return
            self._form["controls"].append({"name": a["name"], "type": kind,
                                           "value": a.get("value", "on" if kind in
                                                          ("checkbox", "radio") else ""),
                                           "checked": "checked" in a})
        elif tag == "textarea" and "name" in a and "disabled" not in a:
            self._textarea = {"name": a["name"], "type": "textarea", "value": ""}
            self._form["controls"].append(self._textarea)
        elif tag == "select" and "name" in a and "disabled" not in a:
            self._select = {"name": a["name"], "type": "select", "options": [],
                            "multiple": "multiple" in a}
            self._form["controls"].append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = {"value": a.get("value"), "selected": "selected" in a, "text": ""}
            self._select["options"].append(self._option)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["value"] += data
        elif self._option is not None:
            self._option["text"] += data


def _rendered(form: dict[str, Any]) -> MultiDict:
    """What the browser sends for a form nobody touched."""
    out: MultiDict = MultiDict()
    for c in form["controls"]:
        if c["type"] in ("checkbox", "radio"):
            if c["checked"]:
                out.add(c["name"], c["value"])
        elif c["type"] == "select":
            options = c["options"]
            chosen = [o for o in options if o["selected"]]
            if not chosen and options and not c["multiple"]:
                chosen = options[:1]
            for o in chosen:
                out.add(c["name"], o["value"] if o["value"] is not None else o["text"].strip())
        else:
            value = c["value"]
            if c["type"] == "textarea" and value.startswith("\n"):
                value = value[1:]  # HTML drops a newline right after <textarea>
            out.add(c["name"], value)
    return out


class Browser:
    """One person's browser on the test client of their login: the page it shows is the last
    HTML page received (a form shown again with errors included)."""

    def __init__(self, client: Any):
        self.client = client
        self.url: str | None = None
        self.html: str | None = None

    def get(self, url: str, **kwargs: Any):
        response = self.client.get(url, **kwargs)
        if response.mimetype == "text/html":
            self.url, self.html = url, response.get_data(as_text=True)
        return response

    def submit(self, action: str, data: dict[str, Any] | None = None, *,
               page: str | None = None):
        """POST the form whose action is `action`, from `page` (GET first), else from the page
        last opened, else from GETting `action`; `data` sets only what the user types."""
        if page is not None or self.html is None:
            self.get(page or action)
        parser = _Forms()
        parser.feed(self.html or "")
        target = urlsplit(action).path
        forms = [f for f in parser.forms if f["method"] == "post" and
                 urlsplit(urljoin(self.url or "", f["action"] or self.url or "")).path == target]
        assert forms, f"no POST form sending to {action} on {self.url}"
        form = forms[0]
        fields = _rendered(form)
        names = {c["name"]: c for c in form["controls"]}
        for name, value in (data or {}).items():
            assert name in names, f"the form at {self.url} has no field {name!r}"
            if names[name]["type"] == "checkbox":
                fields.poplist(name)
                if value:
                    fields.add(name, names[name]["value"])
            else:
                fields.setlist(name, list(value) if isinstance(value, (list, tuple))
                               else [value])
        response = self.client.post(action, data=fields)
        if response.mimetype == "text/html" and not 300 <= response.status_code < 400:
            self.url, self.html = action, response.get_data(as_text=True)  # the page now shown
        return response
