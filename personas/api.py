"""Persona and scoring endpoints: parse, call a service or selector, render."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from personas import selectors, services
from personas import serializers as s
from personas.models import BuyerPersona, PersonaComment, PersonaVersion, RescoreJob
from smarketing.api.pagination import CursorPagination
from smarketing.api.viewsets import TenantAPIView, TenantViewSet
from smarketing.tenancy.actors import Actor


def _body(request) -> dict:
    return request.data if isinstance(request.data, dict) else {}


# Performance is of all time unless a request names a period (both days included).
PERIOD_PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="First day of the performance "
                     "figures (default: all time; with `to` alone, 90 days up to today)"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
]  # fmt: skip


def performance_period(request):
    """The request's period for performance figures; 400 naming a bad `from` or `to`."""
    return selectors.performance_period(
        request.query_params, tz_name=request.tenant.timezone, blank_is_default=False
    )


class PersonaViewSet(TenantViewSet):
    """Buyer personas with criteria and weights; a version scores leads once a marketing
    member and a sales member approved it."""

    queryset = BuyerPersona.all_tenants.none()  # names the model; rows come from get_queryset
    serializer_class = s.PersonaSerializer
    capabilities = {
        "create": "personas.edit",
        "partial_update": "personas.edit",
        "approve": "personas.edit",
        "comment_create": "personas.edit",
    }

    def get_queryset(self):
        return selectors.persona_list()

    def _render(self, persona: BuyerPersona, status: int = 200) -> Response:
        persona = self.get_queryset().get(pk=persona.pk)
        view = selectors.persona_view(persona)
        context = {"performance": selectors.persona_performance(persona_ids=[view.id])}
        return Response(s.PersonaSerializer(view, context=context).data, status=status)

    @extend_schema(parameters=PERIOD_PARAMETERS)
    def list(self, request):
        period = performance_period(request)
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        views = [selectors.persona_view(persona) for persona in page]
        performance = selectors.persona_performance(persona_ids=[v.id for v in views],
                                                    period=period)  # fmt: skip
        context = {"performance": performance}
        return self.get_paginated_response(
            s.PersonaSerializer(views, many=True, context=context).data
        )

    def retrieve(self, request, pk=None):
        return self._render(self.get_object())

    @extend_schema(request=s.PersonaWriteSerializer, responses={201: s.PersonaSerializer})
    def create(self, request):
        """A new persona: version 1, a draft until both sides approve it."""
        persona = services.persona_create(
            tenant=request.tenant, actor=Actor.from_request(request), data=request.data
        )
        return self._render(persona, 201)

    @extend_schema(request=s.PersonaWriteSerializer, responses=s.PersonaSerializer)
    def partial_update(self, request, pk=None):
        """Edit; once anyone approved the current version, the edit is a new draft version."""
        persona = self.get_object()
        services.persona_update(persona=persona, actor=Actor.from_request(request),
                                data=request.data)  # fmt: skip
        return self._render(persona)

    @extend_schema(request=s.ApproveSerializer, responses=s.PersonaSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve the current version for your side; with both sides it scores leads."""
        persona = self.get_object()
        body = s.ApproveSerializer(data=_body(request))
        body.is_valid(raise_exception=True)
        services.persona_approve(
            persona=persona,
            actor=Actor.from_request(request),
            side=body.validated_data.get("side"),
            version_number=body.validated_data.get("version"),
        )
        return self._render(persona)

    @extend_schema(responses=s.VersionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request, pk=None):
        """Every version, newest first, with its approvals."""
        persona = self.get_object()
        return self._paginated(
            PersonaVersion.objects.filter(persona=persona)
            .select_related("created_by")
            .prefetch_related("approvals__user"),
            s.VersionSerializer,
        )

    @extend_schema(responses=s.CommentSerializer(many=True))
    @action(detail=True, methods=["get"])
    def comments(self, request, pk=None):
        """Comments of both teams on every version, newest first."""
        return self._paginated(
            selectors.persona_comments(persona=self.get_object()), s.CommentSerializer
        )

    @extend_schema(request=s.CommentWriteSerializer, responses={201: s.CommentSerializer})
    @comments.mapping.post
    def comment_create(self, request, pk=None):
        persona = self.get_object()
        body = s.CommentWriteSerializer(data=_body(request))
        body.is_valid(raise_exception=True)
        comment = services.persona_comment_add(
            persona=persona,
            actor=Actor.from_request(request),
            body=body.validated_data["body"],
            version_number=body.validated_data.get("version"),
        )
        comment = PersonaComment.objects.select_related("author", "version").get(pk=comment.pk)
        return Response(s.CommentSerializer(comment).data, status=201)

    @extend_schema(parameters=PERIOD_PARAMETERS, responses=s.PerformanceSerializer)
    @action(detail=True, methods=["get"])
    def performance(self, request, pk=None):
        """Leads, MQLs, SQLs, conversion and acceptance rates, won revenue, rejection reasons:
        of all time, or of the days `from`..`to`."""
        persona = self.get_object()
        period = performance_period(request)
        stats = selectors.persona_performance(persona_ids=[persona.pk], period=period)[persona.pk]
        return Response(s.PerformanceSerializer(stats).data)

    def _paginated(self, queryset, serializer_class) -> Response:
        paginator = CursorPagination()
        page = paginator.paginate_queryset(queryset.order_by("-id"), self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


class ScoringSettingsView(TenantAPIView):
    """The tenant's engagement weights, half-life and fit/engagement blend. A change
    re-scores every lead in the background; the response names that job."""

    capabilities = {"patch": "scoring.manage"}

    @extend_schema(responses=s.ScoringSettingsSerializer)
    def get(self, request):
        settings = selectors.scoring_settings_of(tenant_id=request.tenant.pk)
        return Response(s.ScoringSettingsSerializer(settings).data)

    @extend_schema(request=s.ScoringSettingsSerializer, responses=s.ScoringSettingsResultSerializer)
    def patch(self, request):
        _, job = services.scoring_settings_update(
            tenant=request.tenant, actor=Actor.from_request(request), data=request.data
        )
        settings = selectors.scoring_settings_of(tenant_id=request.tenant.pk)
        return Response(s.ScoringSettingsResultSerializer({**settings, "rescore_job": job}).data)


class RescoreJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Background re-scores of all the tenant's leads, with their progress."""

    queryset = RescoreJob.all_tenants.none()
    serializer_class = s.RescoreJobSerializer

    def get_queryset(self):
        return RescoreJob.objects.all()
