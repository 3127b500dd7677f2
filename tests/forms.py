"""What a browser submits for a rendered form: every field, hidden ones included."""

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = self.done = False
        self.fields = []  # (name, value) in page order, as a browser sends them
        self.select = self.textarea = None
        self.options = []  # (value, selected) of the open select

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done:
            self.in_form = self.form_id is None or attrs.get("id") == self.form_id
            return
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name and "disabled" not in attrs:
            self.select, self.multiple, self.options = name, "multiple" in attrs, []
        elif tag == "option" and self.select:
            self.options.append([attrs.get("value"), "selected" in attrs, ""])
        elif tag == "textarea" and name and "disabled" not in attrs:
            self.textarea, self.text = name, ""

    def handle_data(self, data):
        if self.textarea:
            self.text += data
        elif self.select and self.options and self.options[-1][0] is None:
            self.options[-1][2] += data

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "textarea" and self.textarea:
            # A browser drops the newline that follows <textarea>.
            self.fields.append((self.textarea, self.text.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select:
            values = [
                value if value is not None else text.strip()
                for value, selected, text in self.options
                if selected
            ]
            if not values and self.options and not self.multiple:
                first = self.options[0]
                values = [first[0] if first[0] is not None else first[2].strip()]
            self.fields.extend((self.select, value) for value in values)
            self.select = None


def rendered_form(html, form_id=None):
    """The fields the form (the first one, or the one with this id) would submit,
    as a dict for Django's test client: a list where a name repeats."""
    reader = _FormReader(form_id)
    reader.feed(html)
    data = {}
    for name, value in reader.fields:
        data.setdefault(name, []).append(value)
    return {name: values[0] if len(values) == 1 else values for name, values in data.items()}
