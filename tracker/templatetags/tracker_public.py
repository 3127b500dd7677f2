from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import Debate
from ..models.stance import STANCE_VALUES, format_stance
from ..public.charts import stance_class

register = template.Library()


@register.filter
def stance(value):
    """'+1', '0', '−2' with a real minus sign."""
    return format_stance(value)


@register.filter
def stance_css(value):
    return stance_class(value)


@register.simple_tag
def stance_scale():
    """The stance scale, low pole first: {% stance_scale as scale %}."""
    return STANCE_VALUES


@register.simple_tag
def cell_for(cells, actor, proposal):
    return cells.get((actor.id, proposal.id))


@register.filter
def told(shift):
    """A told shift (models.shifts.ToldShift) as markup: its rating marked, the
    actor and the debate linked, stances as badges; every word escaped."""
    parts = []
    for piece in shift.pieces:
        if piece.kind == "rating":
            parts.append(format_html('<strong class="rating">{}</strong>', piece.value))
        elif piece.kind == "actor":
            href = reverse("public:actor", args=[piece.value.slug])
            parts.append(format_html('<a href="{}">{}</a>', href, piece.value.name))
        elif piece.kind == "on" and isinstance(piece.value, Debate):
            href = reverse("public:debate", args=[piece.value.slug])
            parts.append(format_html('<a href="{}">{}</a>', href, piece.value.title))
        elif piece.kind == "stance":
            parts.append(
                format_html('<span class="badge {}">{}</span>', stance_class(piece.value), piece)
            )
        else:
            parts.append(str(piece))
    return format_html_join("", "{}", ((part,) for part in parts))
