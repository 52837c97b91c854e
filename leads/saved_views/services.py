"""Saved views: who may save, see and delete them. The lead list page asks these."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from django.db import transaction
from django.db.models import Q, QuerySet

from leads.errors import InvalidLeadData, NotAllowed
from leads.saved_views.models import LEAD_COLUMNS, SavedView
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.audit import audit_record

# Query parameters that are part of a view; paging and unknown keys are dropped.
VIEW_PARAMETERS = frozenset({
    "q", "stage", "owner", "campaign", "is_cold", "score_min", "score_max",
    "created_after", "created_before", "ordering",
})  # fmt: skip


def clean_query(query: str) -> str:
    """The filters of a lead-list query string, without paging, empty values or strangers."""
    pairs = [(k, v) for k, v in parse_qsl(query) if k in VIEW_PARAMETERS and v.strip()]
    return urlencode(pairs)


def clean_columns(columns: list[str]) -> list[str]:
    """Known optional columns in table order; none chosen means all of them."""
    chosen = [name for name in LEAD_COLUMNS if name in set(columns)]
    return chosen or list(LEAD_COLUMNS)


def saved_views_visible(*, actor: Actor) -> QuerySet[SavedView]:
    """The caller's own views and the ones their team shared, by name."""
    return (
        SavedView.objects.filter(Q(owner_id=actor.user_id) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_view_may_delete(*, saved_view: SavedView, actor: Actor) -> bool:
    return saved_view.owner_id == actor.user_id


@transaction.atomic
def saved_view_create(
    *, tenant, actor: Actor, name: str, query: str, columns: list[str], shared: bool
) -> SavedView:
    name = name.strip()
    if not name:
        raise InvalidLeadData({"name": ["Give the view a name."]})
    if len(name) > 80:
        raise InvalidLeadData({"name": ["At most 80 characters."]})
    if actor.user_id is None:
        raise NotAllowed("Only a person saves views.")
    if SavedView.objects.filter(owner_id=actor.user_id, name__iexact=name).exists():
        raise InvalidLeadData({"name": [f"You already have a view named “{name}”."]})
    saved_view = SavedView.objects.create(
        tenant=tenant, owner_id=actor.user_id, name=name, query=clean_query(query)[:2000],
        columns=clean_columns(columns), shared=shared,
    )  # fmt: skip
    audit_record(
        tenant=tenant,
        actor=actor,
        action="saved_view.created",
        target=saved_view,
        changes={"query": saved_view.query, "columns": saved_view.columns, "shared": shared},
    )
    return saved_view


@transaction.atomic
def saved_view_delete(*, saved_view: SavedView, actor: Actor) -> None:
    if not saved_view_may_delete(saved_view=saved_view, actor=actor):
        raise NotAllowed("Only the person who saved a view deletes it.")
    audit_record(
        tenant=saved_view.tenant_id,
        actor=actor,
        action="saved_view.deleted",
        target=saved_view,
        changes={"shared": saved_view.shared},
    )
    saved_view.delete()
