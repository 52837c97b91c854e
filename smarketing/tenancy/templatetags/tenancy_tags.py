from django import template

from smarketing.tenancy.roles import has_capability

register = template.Library()


@register.filter
def can(role: str | None, capability: str) -> bool:
    """`{% if role|can:"queue.work" %}`: the same capability table the views check."""
    return has_capability(role, capability)
