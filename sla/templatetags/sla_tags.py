"""How the SLA pages word marketing's shortfalls."""

from django import template

from sla.models import ShortfallTerm

register = template.Library()


@register.filter
def shortfall_term(term: str) -> str:
    return dict(ShortfallTerm.choices).get(term, term)


@register.filter
def shortfall_figure(value, term: str) -> str:
    """A rate as a percentage, a volume as a whole number (or one decimal)."""
    if value is None:
        return "—"
    if term == ShortfallTerm.ACCEPTANCE_RATE:
        return f"{round(float(value) * 100)}%"
    return f"{float(value):.1f}".removesuffix(".0")
