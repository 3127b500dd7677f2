import datetime

from django import template

from ..models.stance import STANCE_VALUES, format_stance
from ..public import fragments
from ..public.charts import stance_class
from ..public.links import PageParts

register = template.Library()


@register.filter
def stance(value):
    """'+1', '0', '−2' with a real minus sign."""
    return format_stance(value)


@register.filter
def iso_day(value):
    """A date written YYYY-MM-DD (a release's frozen JSON holds them so) as a date
    for the date filter; what is not one stays as it is."""
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return value


@register.filter
def stance_css(value):
    return stance_class(value)


@register.simple_tag
def stance_scale():
    """The stance scale, low pole first: {% stance_scale as scale %}."""
    return STANCE_VALUES


@register.filter
def stance_line(position, named=""):
    """The position's answer and stance in one line; "named": with the option's title."""
    return fragments.stance_line(position, named=bool(named))


@register.filter
def evidence(position):
    """The position's correction, public evidence and corroboration (attach_evidence)."""
    return fragments.evidence(position, PageParts())
