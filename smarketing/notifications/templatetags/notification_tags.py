from django import template

from smarketing.notifications.selectors import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """`{% unread_notifications as unread %}`: the signed-in person's unread count here."""
    request = context.get("request")
    tenant = context.get("tenant")
    user = getattr(request, "user", None)
    if tenant is None or user is None or not user.is_authenticated:
        return 0
    return unread_count(tenant_id=tenant.pk, user_id=user.pk)
