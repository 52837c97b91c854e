"""How leads reacts to events of other parts (subscribed in `LeadsConfig.ready`)."""

from leads.models import DEFAULT_REJECTION_REASONS, RejectionReason
from smarketing.events import subscribe


def seed_rejection_reasons(*, tenant, items, **context) -> None:
    RejectionReason.objects.bulk_create(
        [
            RejectionReason(tenant=tenant, code=code, label=label, position=position)
            for position, (code, label) in enumerate(DEFAULT_REJECTION_REASONS)
        ],
        ignore_conflicts=True,
    )


def register() -> None:
    subscribe("tenant.created", seed_rejection_reasons)
