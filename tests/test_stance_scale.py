"""The stance scale is defined once, in tracker/models/stance.py."""

from pathlib import Path

from django.template import Context, Template

from tracker.models.stance import clamp_stance

TRACKER = Path(__file__).resolve().parent.parent / "tracker"


def test_templates_read_the_scale_low_pole_first():
    template = Template(
        "{% load tracker_public %}{% stance_scale as scale %}"
        "{% for value in scale %}{{ value|stance }} {% endfor %}"
        "| {{ scale|first|stance_css }} {{ scale|last|stance_css }}"
    )
    assert template.render(Context()) == "−2 −1 0 +1 +2 | s0 s4"


def test_a_balance_of_cues_is_clamped_to_the_scale():
    assert [clamp_stance(value) for value in (-7, -2, -1, 0, 1, 2, 3)] == [-2, -2, -1, 0, 1, 2, 2]


def test_no_other_module_or_template_spells_the_scale_out():
    sources = [
        path
        for pattern in ("**/*.py", "templates/**/*.html")
        for path in TRACKER.glob(pattern)
        if "migrations" not in path.parts and path.name != "stance.py"
    ]
    assert len(sources) > 50
    found = [
        str(path.relative_to(TRACKER))
        for path in sources
        if any(
            spelling in path.read_text()
            for spelling in ('"01234"', "STANCE_LIMIT", "STANCES =", "(-2, -1, 0, 1, 2)")
        )
    ]
    assert found == []
