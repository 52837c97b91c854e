"""Small helpers shared by the persona tests."""

from smarketing import events
from tests.personas.factories import BuyerPersonaFactory


def record_scored(monkeypatch) -> list[tuple[list[dict], list]]:
    """Every `lead.scored` publish from now on, as (items, leads), in order."""
    seen: list[tuple[list[dict], list]] = []

    def record(*, tenant, items, leads=None, **context):
        seen.append((items, leads))

    monkeypatch.setitem(
        events._handlers, "lead.scored", [*events.handlers_for("lead.scored"), record]
    )
    return seen


def approved_persona(tenant, **fields):
    """A persona whose version 1 is approved; `fields` go to that version."""
    return BuyerPersonaFactory(
        tenant=tenant,
        version__status="approved",
        **{f"version__{name}": value for name, value in fields.items()},
    )
