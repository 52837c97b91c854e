"""POST /api/v1/leads/{id}/merge/, POST /api/v1/leads/merges/{id}/undo/,
GET /api/v1/leads/duplicates/."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from leads import selectors
from leads.api.serializers import LeadSerializer
from leads.duplicates.selectors import duplicates_of, leads_with_duplicates
from leads.merging import services
from leads.merging.models import LeadMerge
from leads.models import Lead
from smarketing.api.pagination import CursorPagination
from smarketing.api.params import MAX_ID
from smarketing.api.serializers import StrictSerializer
from smarketing.api.viewsets import TenantAPIView
from smarketing.tenancy.actors import Actor


@extend_schema_field(
    {
        "type": "object",
        "properties": {name: {"type": "string", "enum": list(services.CHOICES)}
                       for name in services.MERGE_FIELDS},
        "additionalProperties": False,
        "description": 'The side whose value the survivor keeps, by field ("this" is the lead '
        "of the URL); a field left out keeps this lead's value, or the other's where this "
        "one is blank.",
    }
)  # fmt: skip
class MergeChoicesField(serializers.DictField):
    pass


class MergeBodySerializer(StrictSerializer):
    other = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text="The id of the lead merged into this one."
    )
    fields = MergeChoicesField(required=False)


def _merge_body(merge: LeadMerge, request) -> dict:
    return {
        "id": merge.pk,
        "undo_url": request.build_absolute_uri(reverse("lead-merge-undo", args=[merge.pk])),
        "undo_until": merge.undo_until,
        "undone_at": merge.undone_at,
        "notes": merge.notes,
    }


def _lead(pk: int) -> dict:
    return LeadSerializer(Lead.objects.select_related("owner", "campaign").get(pk=pk)).data


class LeadMergeView(TenantAPIView):
    """Merge another lead into this one; the answer names the merge and how to undo it."""

    capabilities = {"post": "leads.merge"}
    isolation_model = Lead
    queryset = Lead.all_tenants.none()  # names the model of {id} for the schema
    serializer_class = MergeBodySerializer

    def get_object(self) -> Lead:
        lead = selectors.lead_list().filter(pk=self.kwargs["pk"]).first()
        if lead is None:
            raise Http404
        return lead

    @extend_schema(request=MergeBodySerializer, responses=inline_serializer(
        "MergeResult", {"lead": LeadSerializer(), "merge": serializers.DictField()}))  # fmt: skip
    def post(self, request, pk: int):
        lead = self.get_object()
        body = MergeBodySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        merge = services.lead_merge(lead=lead, other_id=body.validated_data["other"],
                                    fields=body.validated_data.get("fields", {}),
                                    actor=Actor.from_request(request))  # fmt: skip
        return Response({"lead": _lead(merge.survivor_id), "merge": _merge_body(merge, request)})


class LeadMergeUndoView(TenantAPIView):
    """Make the two leads of a merge two again (within 30 days, unless the survivor moved on)."""

    capabilities = {"post": "leads.merge"}
    isolation_model = LeadMerge
    queryset = LeadMerge.all_tenants.none()
    serializer_class = LeadSerializer  # the answer's leads; the request has no body

    def get_object(self) -> LeadMerge:
        merge = LeadMerge.objects.filter(pk=self.kwargs["pk"]).first()
        if merge is None:
            raise Http404
        return merge

    @extend_schema(request=None, responses=inline_serializer(
        "MergeUndoResult", {"lead": LeadSerializer(), "other": LeadSerializer(),
                            "merge": serializers.DictField()}))  # fmt: skip
    def post(self, request, pk: int):
        merge = self.get_object()
        merge = services.lead_merge_undo(merge=merge, actor=Actor.from_request(request))
        return Response({"lead": _lead(merge.survivor_id), "other": _lead(merge.other_id),
                         "merge": _merge_body(merge, request)})  # fmt: skip


class DuplicatePagination(CursorPagination):
    page_size = 50


def _summary(lead: Lead) -> dict:
    return {"id": lead.pk, "email": lead.email, "first_name": lead.first_name,
            "last_name": lead.last_name, "company": lead.company, "phone": lead.phone,
            "stage": lead.stage}  # fmt: skip


class DuplicatesView(TenantAPIView):
    """Leads that likely are someone else too: the same normalised e-mail, phone (E.164),
    or name and company. Each lead with the others it matches, and why."""

    pagination_class = DuplicatePagination
    isolation_model = Lead

    @extend_schema(responses=inline_serializer(
        "DuplicateGroup", {"lead": serializers.DictField(), "duplicates": serializers.ListField()},
        many=True))  # fmt: skip
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(leads_with_duplicates(), request, view=self)
        found = duplicates_of(lead_ids=[lead.pk for lead in page])
        results = [
            {"lead": _summary(lead),
             "duplicates": [{**_summary(d.lead), "reasons": list(d.reasons)}
                            for d in found.get(lead.pk, [])]}
            for lead in page
        ]  # fmt: skip
        return paginator.get_paginated_response(results)
