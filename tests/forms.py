"""Submit a page's form as a browser does: every field the page renders, hidden
ones included, with only the fields a person would change changed."""

from html.parser import HTMLParser

from django.test import Client


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.fields = []  # (name, value) in page order, as a browser sends them
        self.action = None
        self._select = None
        self._options = []
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            # With no id given: the first POST form other than the header's log-out.
            wanted = (
                attrs.get("id") == self.form_id
                if self.form_id
                else attrs.get("method", "").lower() == "post"
                and not (attrs.get("action") or "").endswith("/logout/")
            )
            if self.action is None and wanted:
                self.inside = True
                self.action = attrs.get("action") or ""
            return
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = (name, "multiple" in attrs)
            self._options = []
        elif tag == "option" and self._select:
            # An option without a value attribute submits its text.
            self._options.append([attrs.get("value"), "selected" in attrs, ""])
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        elif self._select and self._options:
            self._options[-1][2] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select" and self._select:
            name, multiple = self._select
            values = [
                value if value is not None else text.strip() for value, _, text in self._options
            ]
            chosen = [
                v for v, (_, selected, _) in zip(values, self._options, strict=True) if selected
            ]
            if not chosen and not multiple and values:
                chosen = values[:1]
            self.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the one newline that follows <textarea>.
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None


def read_form(html, form_id=None):
    """(action, [(name, value), …]) of the form with this id, or the first POST form."""
    reader = _FormReader(form_id)
    reader.feed(html)
    if reader.action is None:
        raise AssertionError(f"no form {form_id or '(POST)'} on the page")
    return reader.action, reader.fields


def rendered_form(html, form_id=None):
    """The fields the form would submit, as a dict for Django's test client (a
    list where a name repeats)."""
    _, fields = read_form(html, form_id)
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}


def submit(client, url, changes=None, form_id=None, button=None, **extra):
    """GET the page, fill in `changes` ({name: value or [values]}; None removes a
    field) over what it rendered, and POST it to the form's action."""
    page = client.get(url, **extra)
    assert page.status_code == 200, f"GET {url} → {page.status_code}"
    action, fields = read_form(page.content.decode(), form_id)
    data = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    for name, value in (changes or {}).items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value if isinstance(value, list) else [value]
    if button:
        data[button[0]] = [button[1]]
    return client.post(action or url, data, **extra)


def change_form(position, **overrides):
    """The POST data of a position's change form with no evidence rows, for
    tests about the position's own fields."""
    data = {
        "actor": position.actor_id,
        "debate": position.debate_id,
        "proposal": "",
        "stance": str(position.stance),
        "support": "",
        "stated_on": position.stated_on.isoformat(),
        "summary": position.summary,
        "evidence-TOTAL_FORMS": "0",
        "evidence-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


def logged_in(user):
    """A test client logged in as the user, beside the ones a test already has."""
    client = Client()
    client.force_login(user)
    return client
