"""How meetings reacts to events of other parts (subscribed in `MeetingsConfig.ready`)."""

from meetings.models import AgendaItem, AgendaKind
from smarketing.events import subscribe

ERASED_NOTE = "[erased]"


def erase_rejection_notes(*, tenant, items, redaction=None, **context) -> None:
    """A generated agenda quotes sales' rejection notes, which are about the lead: an erased
    lead's notes go from the figures and the text, as they went from its history."""
    lead_ids = {item["id"] for item in items}
    for agenda_item in AgendaItem.objects.filter(kind=AgendaKind.REJECTIONS):
        notes = (agenda_item.figures or {}).get("notes") or []
        erased = [n for n in notes if n.get("lead") in lead_ids and n.get("note")]
        if not erased:
            continue
        body = agenda_item.body
        for note in erased:
            body = body.replace(f"“{note['note']}”", f"“{ERASED_NOTE}”")
            note["note"] = ERASED_NOTE
        if redaction is not None:
            body = redaction.text(body)
        AgendaItem.objects.filter(pk=agenda_item.pk).update(body=body, figures=agenda_item.figures)


def register() -> None:
    subscribe("lead.erased", erase_rejection_notes)
