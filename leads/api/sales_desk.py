"""The sales queue, claiming, availability, routing settings and sales' feedback: parse, call a
selector or service, render."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from leads import feedback, selectors, services
from leads.api.serializers import LeadSerializer
from leads.errors import InvalidLeadData
from leads.models import Lead
from leads.routing import selectors as routing_selectors
from leads.routing.models import RoutingMode, RuleField
from leads.routing.services import rep_away_set, routing_replace
from leads.selectors.sales_queue import queue_for
from smarketing.api.pagination import MAX_OFFSET, LimitOffsetPagination
from smarketing.api.params import integer_schema
from smarketing.api.serializers import StrictSerializer
from smarketing.api.viewsets import TenantAPIView
from smarketing.errors import Forbidden
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Membership


class QueueLeadSerializer(LeadSerializer):
    accept_due_at = serializers.DateTimeField(allow_null=True, read_only=True)
    accept_warn_at = serializers.DateTimeField(allow_null=True, read_only=True)
    overdue = serializers.SerializerMethodField()
    campaign_name = serializers.CharField(
        source="campaign.name", allow_null=True, default=None, read_only=True
    )
    routed_to_me = serializers.SerializerMethodField()

    def get_overdue(self, lead: Lead) -> bool:
        return lead.accept_due_at is not None and lead.accept_due_at <= self.context["now"]

    def get_routed_to_me(self, lead: Lead) -> bool:
        return lead.owner_id is not None and lead.owner_id == self.context["user_id"]


class QueuePagination(LimitOffsetPagination):
    """Offset pages: a queue is read from the top, and its order is by deadline, not by id."""

    default_limit = 50
    max_limit = 200


class QueuePageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = QueueLeadSerializer(many=True)


class QueueView(TenantAPIView):
    """SQLs not yet accepted that the caller may accept, most urgent SLA deadline first."""

    capabilities = {"get": "queue.work"}

    @extend_schema(
        responses=QueuePageSerializer,
        parameters=[
            OpenApiParameter(
                "limit",
                integer_schema(minimum=1, maximum=QueuePagination.max_limit),
                description="Rows per page (default 50, at most 200)",
            ),
            OpenApiParameter(
                "offset", integer_schema(minimum=0, maximum=MAX_OFFSET), description="Rows to skip"
            ),
        ],
    )
    def get(self, request):
        actor = Actor.from_request(request)
        paginator = QueuePagination()
        page = paginator.paginate_queryset(queue_for(actor=actor), request, view=self)
        context = {"now": timezone.now(), "user_id": actor.user_id}
        return paginator.get_paginated_response(
            QueueLeadSerializer(page, many=True, context=context).data
        )


class ClaimView(TenantAPIView):
    """Accept the most urgent SQL the caller may take: 200 with the lead, 204 when empty."""

    capabilities = {"post": "queue.work"}

    @extend_schema(request=None, responses={200: LeadSerializer, 204: None})
    def post(self, request):
        lead = services.queue_claim(actor=Actor.from_request(request))
        if lead is None:
            return Response(status=204)
        return Response(LeadSerializer(selectors.lead_list().get(pk=lead.pk)).data)


class AwaySerializer(StrictSerializer):
    away = serializers.BooleanField()


class AwayView(TenantAPIView):
    """Mark yourself away (nothing is routed to you) or back: `{"away": true|false}`."""

    capabilities = {"post": "read"}

    @extend_schema(request=AwaySerializer, responses=AwaySerializer)
    def post(self, request):
        if getattr(request.user, "pk", None) is None:
            # Not a bad body: the caller is not a person, so it may not do this at all.
            raise Forbidden("An integration key is nobody: it cannot be away.")
        body = AwaySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        membership = rep_away_set(
            tenant=request.tenant, user=request.user, away=body.validated_data["away"]
        )
        return Response({"away": membership.is_away})


class RoutingRuleSerializer(StrictSerializer):
    field = serializers.ChoiceField(choices=RuleField.choices)
    values = serializers.ListField(child=serializers.CharField(max_length=100), min_length=1)
    team = serializers.CharField(required=False, allow_null=True, help_text="A team's name.")
    rep = serializers.EmailField(required=False, allow_null=True)
    is_active = serializers.BooleanField(default=True)


class TeamSerializer(StrictSerializer):
    name = serializers.CharField(max_length=100)
    members = serializers.ListField(child=serializers.EmailField())


class RoutingSerializer(StrictSerializer):
    mode = serializers.ChoiceField(choices=RoutingMode.choices)
    default_capacity = serializers.IntegerField(min_value=1, max_value=1000)
    capacities = serializers.DictField(child=serializers.IntegerField(min_value=1,
                                       max_value=1000), required=False,
                                       help_text="Per rep, by e-mail.")  # fmt: skip
    teams = TeamSerializer(many=True, required=False)
    rules = RoutingRuleSerializer(many=True, required=False)


def routing_document() -> dict:
    settings = routing_selectors.routing_settings()
    teams = routing_selectors.teams_with_members()
    emails = dict(
        Membership.objects.filter(
            user_id__in=[int(uid) for uid in settings.capacities or {}]
        ).values_list("user_id", "user__email")
    )
    return {
        "mode": settings.mode,
        "default_capacity": settings.default_capacity,
        "capacities": {
            emails[int(uid)]: value
            for uid, value in (settings.capacities or {}).items()
            if int(uid) in emails
        },
        "teams": [
            {"name": team.name, "members": sorted(m.user.email for m in team.members.all())}
            for team in teams
        ],
        "rules": [
            {
                "field": rule.field,
                "values": rule.values,
                "team": rule.team.name if rule.team else None,
                "rep": rule.rep.email if rule.rep else None,
                "is_active": rule.is_active,
            }
            for rule in routing_selectors.routing_rules()
        ],
    }


class RoutingView(TenantAPIView):
    """The tenant's routing: mode, capacities, teams and rules (PUT replaces them all)."""

    capabilities = {"get": "routing.manage", "put": "routing.manage"}

    @extend_schema(responses=RoutingSerializer)
    def get(self, request):
        return Response(routing_document())

    @extend_schema(request=RoutingSerializer, responses=RoutingSerializer)
    def put(self, request):
        body = RoutingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        routing_replace(tenant=request.tenant, actor=Actor.from_request(request),
                        data=body.validated_data)  # fmt: skip
        return Response(routing_document())


class FeedbackGroupSerializer(serializers.Serializer):
    key = serializers.CharField(allow_null=True)
    label = serializers.CharField()
    handed_off = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class FeedbackNoteSerializer(serializers.Serializer):
    lead = serializers.IntegerField()
    email = serializers.CharField()
    company = serializers.CharField()
    reason_code = serializers.CharField()
    reason = serializers.CharField()
    note = serializers.CharField(allow_blank=True)
    by = serializers.CharField(allow_null=True)
    at = serializers.DateTimeField()
    campaign = serializers.IntegerField(allow_null=True)
    campaign_name = serializers.CharField(allow_null=True)
    persona = serializers.IntegerField(allow_null=True)


class FeedbackSerializer(serializers.Serializer):
    # "from" is a Python keyword: the field is declared below under its wire name.
    to = serializers.DateField()
    group_by = serializers.ChoiceField(choices=feedback.GROUPS)
    handed_off = serializers.IntegerField()
    rejected = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)
    groups = FeedbackGroupSerializer(many=True)
    notes = FeedbackNoteSerializer(many=True)


FeedbackSerializer._declared_fields["from"] = serializers.DateField()


class RejectionFeedbackView(TenantAPIView):
    """Rejected SQLs by campaign, persona or reason over a period: counts, rates and notes."""

    @extend_schema(
        parameters=[
            OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: 90 days)"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
            OpenApiParameter("group_by", str, enum=list(feedback.GROUPS)),
        ],
        responses=FeedbackSerializer,
    )
    def get(self, request):
        group_by = request.query_params.get("group_by", "campaign")
        if group_by not in feedback.GROUPS:
            raise InvalidLeadData({"group_by": [f"Use one of {', '.join(feedback.GROUPS)}."]})
        tz_name = request.tenant.timezone
        period = feedback.parse_period(
            request.query_params, tz_name=tz_name, blank_is_default=False
        )
        report = feedback.rejection_feedback(period=period, group_by=group_by)
        return Response(FeedbackSerializer(report).data)
