"""Forms as a browser sees them: read the `<form>`s of a page, fill in what a user types, and
build exactly the request the browser would send.

The test client (`tests/conftest.py`) posts only forms it found on a page it opened: hidden fields
and the CSRF token come from the HTML, never from the test. A field the page did not render, an
option a `<select>` does not offer, a file for a field that is not `<input type=file>`: each is an
AssertionError naming it, because no browser could send it.
"""
from __future__ import annotations

import copy

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import BytesIO
from typing import Any
from urllib.parse import parse_qsl, urldefrag, urljoin, urlsplit

from werkzeug.datastructures import FileStorage, MultiDict

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
#: Input types that are buttons: sent only when they are the one clicked (submit, image).
BUTTON_TYPES = {"submit", "image", "button", "reset"}


@dataclass
class Option:
    value: str | None  # None: the option's text is its value
    selected: bool
    disabled: bool
    text: str = ""

    @property
    def sent(self) -> str:
        return self.value if self.value is not None else " ".join(self.text.split())


@dataclass
class Control:
    """One named or unnamed form control, with its state as rendered (then as the user set it)."""
    tag: str  # input, select, textarea, button
    type: str  # input type; "select", "textarea"; button type
    name: str
    value: str
    attrs: dict[str, str]
    checked: bool = False
    disabled: bool = False
    multiple: bool = False
    options: list[Option] = field(default_factory=list)
    text: str = ""  # a button's label, a textarea's content
    file: Any = None  # what the user chose for an <input type=file>

    @property
    def is_submit(self) -> bool:
        return (self.tag == "button" and self.type == "submit") or \
            (self.tag == "input" and self.type in ("submit", "image"))

    @property
    def is_button(self) -> bool:
        return (self.tag == "button") or (self.tag == "input" and self.type in BUTTON_TYPES)

    def label(self) -> str:
        return " ".join((self.text or self.value or "").split())


@dataclass
class Form:
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)
    #: where the form sends, resolved against the page's URL
    action: str = ""
    method: str = "get"
    hx: bool = False
    #: the submit button that sends to `action` (a button's formaction makes a form send
    #: elsewhere: the button is then the one the user clicks)
    default_button: Control | None = None

    @property
    def multipart(self) -> bool:
        return self.attrs.get("enctype", "").lower() == "multipart/form-data"

    def names(self) -> list[str]:
        seen: dict[str, None] = {}
        for c in self.controls:
            if c.name:
                seen[c.name] = None
        return list(seen)

    def describe(self) -> str:
        return f"<form method={self.method} action={self.action!r}>"

    # --- what the user does ----------------------------------------------------------------

    def fill(self, data: dict[str, Any] | None, button: str | None = None) -> Control | None:
        """Apply what the user types/ticks/chooses; return the submit button clicked."""
        clicked = self._button(button) if button is not None else None
        for name, value in (data or {}).items():
            controls = [c for c in self.controls if c.name == name]
            assert controls, (
                f"{self.describe()} has no field {name!r}: a browser cannot send a field the page "
                f"did not render (its fields: {', '.join(self.names()) or 'none'})")
            buttons = [c for c in controls if c.is_button]
            if buttons and len(buttons) == len(controls):
                clicked = self._button_named(name, value, buttons)
                continue
            controls = [c for c in controls if not c.is_button]
            enabled = [c for c in controls if not c.disabled]
            assert enabled, f"{self.describe()}: field {name!r} is disabled; a user cannot change it"
            self._set(name, enabled, value)
        if clicked is None:
            clicked = self.default_button or next(
                (c for c in self.controls if c.is_submit and not c.disabled
                 and not c.attrs.get("formaction")), None)
        return clicked

    def _button(self, wanted: str) -> Control:
        buttons = [c for c in self.controls if c.is_submit and not c.disabled]
        for c in buttons:
            if wanted in (c.name, c.value, c.label()):
                return c
        raise AssertionError(
            f"{self.describe()} has no submit button {wanted!r} (its buttons: "
            f"{', '.join(repr(c.label() or c.name) for c in buttons) or 'none'})")

    def _button_named(self, name: str, value: Any, buttons: list[Control]) -> Control:
        for c in buttons:
            if c.is_submit and not c.disabled and (value is True or str(value) == c.value):
                return c
        raise AssertionError(
            f"{self.describe()}: no submit button {name}={value!r} (rendered: "
            f"{', '.join(f'{c.name}={c.value!r}' for c in buttons)})")

    def _set(self, name: str, controls: list[Control], value: Any) -> None:
        kinds = {c.type for c in controls}
        where = f"{self.describe()} field {name!r}"
        if kinds <= {"checkbox"}:
            values = _as_list(value)
            if len(controls) == 1 and not isinstance(value, (list, tuple, set)):
                # a single tick-box: any true value ticks it (the browser sends its own value)
                controls[0].checked = bool(value) and value not in ("0", "false", "n", "off")
                return
            rendered = [c.value for c in controls]
            unknown = [v for v in map(str, values) if v not in rendered]
            assert not unknown, f"{where}: no tick-box with value {unknown} (rendered: {rendered})"
            for c in controls:
                c.checked = c.value in map(str, values)
        elif kinds <= {"radio"}:
            rendered = [c.value for c in controls]
            assert str(value) in rendered, f"{where}: no choice {value!r} (rendered: {rendered})"
            for c in controls:
                c.checked = c.value == str(value)
        elif kinds <= {"file"}:
            for c, chosen in zip(controls, _as_list(value)):
                c.file = chosen
        elif "file" in kinds or "checkbox" in kinds or "radio" in kinds:
            raise AssertionError(f"{where} mixes control types {sorted(kinds)}")
        elif kinds <= {"select"}:
            values = [str(v) for v in _as_list(value)]
            for c in controls:
                offered = [o.sent for o in c.options if not o.disabled]
                unknown = [v for v in values if v not in offered]
                assert not unknown, (f"{where}: {unknown} is not one of its options "
                                     f"(offered: {offered})")
                assert c.multiple or len(values) <= 1, f"{where} takes one option, not {values}"
                for o in c.options:
                    o.selected = o.sent in values
                break  # several selects with one name: the first takes the value
        else:
            # text-like inputs, hidden fields (set by the page's script), textareas
            if isinstance(value, FileStorage) or isinstance(value, tuple):
                raise AssertionError(f"{where} is not an <input type=file>: a browser cannot "
                                     "upload a file through it")
            values = _as_list(value) if len(controls) > 1 else [value]
            for c, v in zip(controls, values):
                c.value = "" if v is None else str(v)
                c.text = c.value

    # --- what the browser sends ------------------------------------------------------------

    def data(self, clicked: Control | None) -> MultiDict:
        """The form data set, in document order (HTML "constructing the entry list")."""
        entries: MultiDict = MultiDict()
        for c in self.controls:
            if c.disabled:
                continue
            if c.is_button:
                if c is clicked and c.name:
                    if c.type == "image":
                        entries.add(f"{c.name}.x", "0")
                        entries.add(f"{c.name}.y", "0")
                    else:
                        entries.add(c.name, c.value)
                continue
            if not c.name:
                continue
            if c.tag == "select":
                chosen = [o for o in c.options if o.selected and not o.disabled]
                if not c.multiple:
                    if not chosen:
                        chosen = [o for o in c.options if not o.disabled][:1]
                    chosen = chosen[-1:]
                for o in chosen:
                    entries.add(c.name, o.sent)
            elif c.tag == "textarea":
                entries.add(c.name, c.text)
            elif c.type in ("checkbox", "radio"):
                if c.checked:
                    entries.add(c.name, c.value)
            elif c.type == "file":
                if not self.multipart:
                    # a urlencoded form sends only the file's name
                    entries.add(c.name, _filename(c.file))
                else:
                    entries.add(c.name, _file_part(c.file))
            else:
                entries.add(c.name, c.value)
        return entries


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set)) and not _is_file_tuple(value):
        return list(value)
    return [value]


def _is_file_tuple(value: Any) -> bool:
    return isinstance(value, tuple) and bool(value) and hasattr(value[0], "read")


def _filename(chosen: Any) -> str:
    if chosen is None:
        return ""
    if isinstance(chosen, FileStorage):
        return chosen.filename or ""
    if _is_file_tuple(chosen):
        return chosen[1] if len(chosen) > 1 else ""
    return ""


def _file_part(chosen: Any) -> Any:
    """No file chosen: the browser still sends the part, with an empty name and no content."""
    if chosen is None:
        return (BytesIO(b""), "", "application/octet-stream")
    assert isinstance(chosen, FileStorage) or _is_file_tuple(chosen), (
        f"a file is (stream, filename[, content type]) or a FileStorage, not {chosen!r}")
    return chosen


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.loose: list[tuple[str, Control]] = []  # controls with form="id"
        self.form: Form | None = None
        self.select: Control | None = None
        self.option: Option | None = None
        self.textarea: Control | None = None
        self.button: Control | None = None
        self.meta_token: str | None = None
        self.hx_headers: dict[str, str] = {}
        self.disabled_fieldsets: list[bool] = []

    def handle_starttag(self, tag: str, attr_list: list[tuple[str, str | None]]) -> None:
        attrs: dict[str, str] = {}
        for k, v in attr_list:
            attrs.setdefault(k, v if v is not None else "")  # the first wins, as in browsers
        if tag == "meta" and attrs.get("name") == "csrf-token":
            self.meta_token = attrs.get("content")
        elif tag == "body" and "hx-headers" in attrs:
            try:
                self.hx_headers = dict(json.loads(attrs["hx-headers"]))
            except ValueError:
                pass
        elif tag == "form":
            if self.form is None:  # a form inside a form is ignored by browsers
                self.form = Form(attrs)
                self.forms.append(self.form)
        elif tag == "fieldset":
            self.disabled_fieldsets.append("disabled" in attrs)
        elif tag in ("input", "select", "textarea", "button"):
            self._control(tag, attrs)
        elif tag == "option" and self.select is not None:
            self.option = Option(attrs.get("value"), "selected" in attrs, "disabled" in attrs)
            self.select.options.append(self.option)
        if tag in VOID:
            self.handle_endtag(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def _control(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "input":
            kind = attrs.get("type", "text").lower() or "text"
        elif tag == "button":
            kind = attrs.get("type", "submit").lower() or "submit"
        else:
            kind = tag
        control = Control(
            tag=tag, type=kind, name=attrs.get("name", ""), value=attrs.get("value", ""),
            attrs=attrs, checked="checked" in attrs,
            disabled="disabled" in attrs or any(self.disabled_fieldsets),
            multiple="multiple" in attrs)
        if tag == "input" and kind in ("checkbox", "radio") and "value" not in attrs:
            control.value = "on"
        if "form" in attrs:
            self.loose.append((attrs["form"], control))
        elif self.form is not None:
            self.form.controls.append(control)
        if tag == "select":
            self.select = control
        elif tag == "textarea":
            self.textarea = control
        elif tag == "button":
            self.button = control

    def handle_data(self, data: str) -> None:
        if self.option is not None:
            self.option.text += data
        elif self.textarea is not None:
            self.textarea.text += data
        elif self.button is not None:
            self.button.text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = None
        elif tag == "fieldset" and self.disabled_fieldsets:
            self.disabled_fieldsets.pop()
        elif tag == "select":
            self.select = self.option = None
        elif tag == "option":
            self.option = None
        elif tag == "textarea" and self.textarea is not None:
            text = self.textarea.text
            if text.startswith("\r\n"):
                text = text[2:]
            elif text.startswith("\n"):
                text = text[1:]  # the HTML parser drops one newline right after <textarea>
            self.textarea.text = self.textarea.value = text
            self.textarea = None
        elif tag == "button":
            self.button = None


@dataclass
class Page:
    """An HTML page as the client received it, at the URL it was received from."""
    url: str
    html: str
    status: int = 200

    def parse(self) -> _Parser:
        parser = _Parser()
        parser.feed(self.html)
        parser.close()
        by_id = {f.attrs["id"]: f for f in parser.forms if "id" in f.attrs}
        for form_id, control in parser.loose:
            if form_id in by_id:
                by_id[form_id].controls.append(control)
        for form in parser.forms:
            if "hx-post" in form.attrs:
                form.hx, form.method = True, "post"
                form.action = urldefrag(urljoin(self.url, form.attrs["hx-post"] or self.url))[0]
            else:
                form.method = (form.attrs.get("method") or "get").lower()
                form.action = urldefrag(urljoin(self.url, form.attrs.get("action") or self.url))[0]
        return parser

    def forms(self) -> list[Form]:
        return self.parse().forms

    @property
    def csrf_meta(self) -> str | None:
        return self.parse().meta_token

    def candidates(self, url: str, data: dict[str, Any] | None) -> list[Form]:
        """Every POST form for `url`, those that have all of `data`'s fields first."""
        wanted_path, wanted_query = _split(urljoin(self.url, url))
        forms = []
        for form in self.forms():
            if form.method != "post":
                continue
            # where the form sends, and where each of its buttons with a formaction sends
            targets = [(form.action, None)] + [
                (urldefrag(urljoin(self.url, c.attrs["formaction"]))[0], c)
                for c in form.controls if c.is_submit and not c.disabled
                and c.attrs.get("formaction")]
            for action, button in targets:
                path, query = _split(action)
                if path == wanted_path and set(wanted_query) <= set(query):
                    if button is not None:
                        form = copy.copy(form)
                        form.action, form.default_button = action, button
                    forms.append((query != wanted_query, form))
        data = data or {}

        def rank(item: tuple[bool, Form]) -> tuple[bool, bool, int]:
            # the form with all of data's fields, then the one whose hidden fields already hold
            # data's values (a page with one form per row or step), then the exact action
            partial, form = item
            hidden = {(c.name, c.value) for c in form.controls if c.type == "hidden"}
            agree = sum((k, str(v)) in hidden for k, v in data.items() if isinstance(v, (str, int)))
            return (not set(data) <= set(form.names()), -agree, partial)

        return [form for _, form in sorted(forms, key=rank)]


def _split(url: str) -> tuple[str, list[tuple[str, str]]]:
    parts = urlsplit(url)
    return parts.path or "/", sorted(parse_qsl(parts.query, keep_blank_values=True))


# --- htmx: a fragment swapped into the page, as htmx does it ---------------------------------

class _Locator(HTMLParser):
    """Where an element (by id, or the first with an attribute) starts and ends in the text."""

    def __init__(self, text: str, element_id: str | None = None, attr: str | None = None):
        super().__init__(convert_charrefs=False)
        self.text, self.element_id, self.attr = text, element_id, attr
        self.lines = [0]
        for line in text.splitlines(keepends=True):
            self.lines.append(self.lines[-1] + len(line))
        self.found: tuple[int, int, int, int] | None = None
        self._open: tuple[str, int, int] | None = None
        self._depth = 0

    def _offset(self) -> int:
        line, col = self.getpos()
        return self.lines[line - 1] + col

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.found is not None:
            return
        if self._open is not None:
            if tag == self._open[0] and tag not in VOID:
                self._depth += 1
            return
        values = dict(attrs)
        if (self.element_id is not None and values.get("id") == self.element_id) or \
                (self.attr is not None and self.attr in values):
            start = self._offset()
            end_of_start = start + len(self.get_starttag_text() or "")
            if tag in VOID:
                self.found = (start, end_of_start, end_of_start, end_of_start)
            else:
                self._open, self._depth = (tag, start, end_of_start), 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._open is None and self.found is None:
            self.handle_starttag(tag, attrs)
            if self._open is not None:  # <div/>: ends where it starts
                _, start, end = self._open
                self.found, self._open = (start, end, end, end), None

    def handle_endtag(self, tag: str) -> None:
        if self._open is None or self.found is not None or tag != self._open[0]:
            return
        self._depth -= 1
        if self._depth == 0:
            close = self._offset()
            _, start, end_of_start = self._open
            self.found = (start, end_of_start, close, self.text.index(">", close) + 1)

    def locate(self) -> tuple[int, int, int, int] | None:
        self.feed(self.text)
        self.close()
        return self.found


def locate(text: str, element_id: str | None = None, attr: str | None = None):
    """(start, end of start tag, start of end tag, end) of the element, or None."""
    return _Locator(text, element_id, attr).locate()


def swap(page: str, target_id: str, fragment: str, style: str = "innerHTML",
         select: str | None = None) -> str:
    """The page after htmx put `fragment` at the element `target_id` (hx-swap `style`,
    hx-select `select` an id selector), out-of-band elements (hx-swap-oob) included."""
    while (oob := locate(fragment, attr="hx-swap-oob")) is not None:
        start, _, _, end = oob
        element = fragment[start:end]
        found = locate(element, attr="hx-swap-oob")
        element_id = re.search(r'\sid="([^"]+)"', element[:found[1]]) if found else None
        fragment = fragment[:start] + fragment[end:]
        if element_id and (where := locate(page, element_id.group(1))) is not None:
            page = page[:where[0]] + element + page[where[3]:]
    if select:
        picked = locate(fragment, select.lstrip("#"))
        fragment = fragment[picked[0]:picked[3]] if picked else ""
    where = locate(page, target_id)
    assert where is not None, f"htmx target #{target_id} is not on the page"
    start, inner, close, end = where
    style = (style or "innerHTML").split()[0]
    if style == "outerHTML":
        return page[:start] + fragment + page[end:]
    if style == "beforeend":
        return page[:close] + fragment + page[close:]
    if style == "afterbegin":
        return page[:inner] + fragment + page[inner:]
    if style == "beforebegin":
        return page[:start] + fragment + page[start:]
    if style == "afterend":
        return page[:end] + fragment + page[end:]
    if style == "delete":
        return page[:start] + page[end:]
    if style == "none":
        return page
    return page[:inner] + fragment + page[close:]


def trigger_of(page: str, url: str, target_id: str) -> dict[str, str]:
    """The attributes of the element that asks htmx for `url` into #target_id (its hx-swap and
    hx-select), or {} when the page has none."""
    wanted = urlsplit(url).path
    for match in re.finditer(r"<[a-zA-Z][^>]*\shx-get=\"([^\"]*)\"[^>]*>", page):
        if urlsplit(match.group(1).replace("&amp;", "&")).path != wanted:
            continue
        tag = match.group(0)
        target = re.search(r'\shx-target="([^"]*)"', tag)
        if target is None or target.group(1) != f"#{target_id}":
            continue
        attrs = dict(re.findall(r'\s(hx-swap|hx-select)="([^"]*)"', tag))
        return attrs
    return {}
