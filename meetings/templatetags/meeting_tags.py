from django import template

from meetings import agenda

register = template.Library()


@register.filter
def pct(rate) -> str:
    """0.483 → "48%"; None → "—" (as agenda titles write rates)."""
    return agenda.pct(rate)


@register.filter
def hours(value) -> str:
    return "—" if value is None else agenda.hours(value)
