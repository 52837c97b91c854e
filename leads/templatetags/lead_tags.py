from typing import Any

from django import template

register = template.Library()


@register.filter
def pairs(mapping: Any) -> list[tuple[str, Any]]:
    """`{% for name, value in lead.custom_fields|pairs %}`: a stored JSON object as pairs.

    Iterating `mapping.items` in a template breaks on data whose keys people choose: the
    template language looks "items" up as a key before the method, so a custom field or a
    CSV column called "items" (or "keys", "values") would stand in for the method.
    """
    if not isinstance(mapping, dict):
        return []
    return [(str(name), value) for name, value in mapping.items()]
