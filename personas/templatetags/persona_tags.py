from django import template

from personas.forms import format_value

register = template.Library()


@register.filter
def as_text(value) -> str:
    """A criterion value or a content field as one line: lists comma-separated."""
    return format_value(value)
