"""Lead endpoints: parse, call a service or selector, render."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from leads import selectors, services
from leads.api import serializers as s
from leads.api.lean import lead_rows, lead_rows_render
from leads.api.personal_data import PersonalDataSerializer
from leads.errors import InvalidLeadData
from leads.filters import LeadFilter
from leads.merging.errors import LeadMovedTo
from leads.merging.selectors import survivor_of
from leads.models import Campaign, Lead
from leads.personal_data import lead_personal_data
from smarketing.api.filters import FilterBackend, StableOrderingFilter
from smarketing.api.viewsets import TenantAPIView, TenantViewSet
from smarketing.tenancy.actors import Actor


def _items(request) -> list:
    body = request.data
    if isinstance(body, dict) and set(body) - {"items"}:
        raise InvalidLeadData({name: ["Unknown field."] for name in sorted(set(body) - {"items"})})
    items = body.get("items") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidLeadData({"items": ["Send a JSON list, or an object with an `items` list."]})
    return items


class LeadViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    TenantViewSet,
):
    """Leads: upsert by e-mail, read, move through the lifecycle."""

    queryset = Lead.all_tenants.none()  # names the model; rows come from get_queryset
    serializer_class = s.LeadSerializer
    filter_backends = [FilterBackend, StableOrderingFilter]
    filterset_class = LeadFilter
    ordering_fields = ["id", "score", "created_at", "updated_at", "last_activity_at",
                       "stage_changed_at"]  # fmt: skip
    ordering = ["-id"]
    capabilities = {
        "create": "leads.ingest",
        "bulk": "leads.ingest",
        "partial_update": "leads.edit",
        "transition": "leads.edit",
        "accept": "queue.work",
        "reject": "queue.work",
        "touches": "queue.work",
        "assign": "leads.assign",
        "erase": "leads.erase",
        "personal_data": "leads.personal_data",
    }

    def get_queryset(self):
        return selectors.lead_list()

    def list(self, request, *args, **kwargs):
        # Rows rendered in one pass (leads.api.lean), not instances through the serializer:
        # the same body, a third of the cost for a page of 50.
        page = self.paginate_queryset(lead_rows(self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(lead_rows_render(page))

    def get_object(self):
        try:
            return super().get_object()
        except Http404:
            pk = str(self.kwargs.get("pk", ""))
            survivor = survivor_of(lead_id=int(pk)) if pk.isdigit() else None
            if survivor is None:
                raise
            raise LeadMovedTo(survivor) from None

    def handle_exception(self, exc):
        if isinstance(exc, LeadMovedTo):
            # A merged lead's id keeps working: 308 keeps the method and body on the way.
            path = self.request.path.replace(
                f"/leads/{self.kwargs['pk']}/", f"/leads/{exc.survivor_id}/", 1
            )
            return Response(status=308, headers={"Location": self.request.build_absolute_uri(path)})
        return super().handle_exception(exc)

    def _render(self, lead: Lead, status_code: int = 200) -> Response:
        lead = selectors.lead_list().get(pk=lead.pk)
        return Response(s.LeadSerializer(lead).data, status=status_code)

    @extend_schema(
        request=s.LeadWriteSerializer, responses={200: s.LeadSerializer, 201: s.LeadSerializer}
    )
    def create(self, request):
        """Upsert by e-mail: 201 when the lead is new, 200 when merged into the existing one."""
        clean = s.LeadWriteSerializer().to_internal_value(request.data)
        result = services.lead_upsert(tenant=request.tenant, actor=Actor.from_request(request),
                                      data=clean)  # fmt: skip
        status_code = 201 if result.created else 200
        if result.current:
            # The row as the upsert left it: reading it back would give the same.
            return Response(s.LeadSerializer(result.lead).data, status=status_code)
        return self._render(result.lead, status_code)

    @extend_schema(request=s.LeadPatchSerializer, responses=s.LeadSerializer)
    def partial_update(self, request, pk=None):
        lead = self.get_object()
        clean = s.LeadPatchSerializer().to_internal_value(request.data)
        services.lead_update(lead=lead, actor=Actor.from_request(request), data=clean)
        return self._render(lead)

    @extend_schema(request=s.BulkLeadsSerializer, responses=s.BulkResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Up to 1,000 leads; one result per item, in order. A bad item sinks no other."""
        results = services.leads_bulk_upsert(
            tenant=request.tenant, actor=Actor.from_request(request), items=_items(request)
        )
        counts = dict.fromkeys(("created", "updated", "unchanged", "error"), 0)
        for result in results:
            counts[result.status] += 1
        body = {"created": counts["created"], "updated": counts["updated"],
                "unchanged": counts["unchanged"], "failed": counts["error"],
                "results": [result.as_dict() for result in results]}  # fmt: skip
        return Response(body, status=status.HTTP_200_OK)

    @extend_schema(request=s.TransitionSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        lead = self.get_object()
        body = s.TransitionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.lead_transition(
            lead=lead, actor=Actor.from_request(request), **body.validated_data
        )
        return self._render(lead)

    @extend_schema(request=None, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        lead = self.get_object()
        services.lead_accept(lead=lead, actor=Actor.from_request(request))
        return self._render(lead)

    @extend_schema(request=s.RejectSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        lead = self.get_object()
        body = s.RejectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.lead_reject(lead=lead, actor=Actor.from_request(request), **body.validated_data)
        return self._render(lead)

    @extend_schema(request=s.AssignSerializer, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = self.get_object()
        body = s.AssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.lead_assign(lead=lead, owner_email=body.validated_data["owner"],
                             note=body.validated_data.get("note", ""),
                             actor=Actor.from_request(request))  # fmt: skip
        return self._render(lead)

    @extend_schema(request=s.TouchSerializer, responses={201: s.LeadSerializer})
    @action(detail=True, methods=["post"])
    def touches(self, request, pk=None):
        """A rep logs a call, e-mail or meeting with the lead."""
        lead = self.get_object()
        body = s.TouchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.lead_touch_log(lead=lead, actor=Actor.from_request(request), **body.validated_data)
        return self._render(lead, 201)

    @extend_schema(responses=s.HistoryEntrySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # one list, not pages
    def history(self, request, pk=None):
        """Transitions and events, newest first."""
        lead = self.get_object()
        return Response(s.HistoryEntrySerializer(selectors.lead_history(lead=lead), many=True).data)

    @extend_schema(request=None, responses=s.LeadSerializer)
    @action(detail=True, methods=["post"])
    def erase(self, request, pk=None):
        """GDPR erasure: personal fields anonymised; stages, counts and amounts kept."""
        lead = self.get_object()
        services.lead_erase(lead=lead, actor=Actor.from_request(request))
        return self._render(lead)

    @extend_schema(responses=PersonalDataSerializer)
    @action(detail=True, methods=["get"], url_path="personal-data", pagination_class=None)
    def personal_data(self, request, pk=None):
        """Subject access export (admins): everything held about the lead's person, as JSON."""
        lead = self.get_object()
        return Response(PersonalDataSerializer(lead_personal_data(lead=lead)).data)


class EventsView(TenantAPIView):
    """Engagement events and sales touches, up to 1,000 per request."""

    capabilities = {"post": "events.record"}

    @extend_schema(request={"application/json": s.EVENTS_BODY}, responses=s.EventsResultSerializer)
    def post(self, request):
        results = services.lead_events_record(
            tenant=request.tenant, actor=Actor.from_request(request), items=_items(request)
        )
        recorded = sum(1 for result in results if result.status == "recorded")
        return Response({"recorded": recorded, "failed": len(results) - recorded,
                         "results": [result.as_dict() for result in results]})  # fmt: skip


class CampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Campaigns with channel, cost and dates; read-only funnel stats and ROI."""

    queryset = Campaign.all_tenants.none()
    serializer_class = s.CampaignSerializer
    capabilities = {"create": "campaigns.manage", "partial_update": "campaigns.manage"}

    def get_queryset(self):
        return Campaign.objects.all()

    def _serialize(self, campaigns, many: bool):
        ids = [c.pk for c in (campaigns if many else [campaigns])]
        context = {
            **self.get_serializer_context(),
            "stats": selectors.campaign_stats(campaign_ids=ids),
        }
        return s.CampaignSerializer(campaigns, many=many, context=context).data

    def list(self, request):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self._serialize(page, many=True))

    def retrieve(self, request, pk=None):
        return Response(self._serialize(self.get_object(), many=False))

    @extend_schema(request=s.CampaignSerializer, responses={201: s.CampaignSerializer})
    def create(self, request):
        body = s.CampaignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = services.campaign_create(
            tenant=request.tenant, data=body.validated_data, actor=Actor.from_request(request)
        )
        return Response(self._serialize(campaign, many=False), status=201)

    @extend_schema(request=s.CampaignSerializer, responses=s.CampaignSerializer)
    def partial_update(self, request, pk=None):
        campaign = self.get_object()
        body = s.CampaignSerializer(campaign, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.campaign_update(
            campaign=campaign, data=body.validated_data, actor=Actor.from_request(request)
        )
        return Response(self._serialize(campaign, many=False))
