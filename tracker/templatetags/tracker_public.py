from django import template

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
