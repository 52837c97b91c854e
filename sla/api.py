"""SLA endpoints: versions with sign-off and activation, the obligations they create, and
how well both teams keep them (compliance)."""

import django_filters
from django import forms
from drf_spectacular.drainage import set_override
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from leads.api.exports import CSV_SCHEMA, CSVRenderer, csv_download
from sla import selectors, services
from sla import serializers as s
from sla.compliance import csv as compliance_csv
from sla.compliance.periods import GROUPS, parse_group_by, parse_period, parse_team
from sla.compliance.report import compliance_report
from sla.models import (
    Obligation,
    ObligationKind,
    ObligationStatus,
    Shortfall,
    ShortfallStatus,
    ShortfallTerm,
    SlaVersion,
)
from sla.services.rollups import rollup_timezone
from smarketing.api.filters import FilterBackend, IntegerFilter
from smarketing.api.params import MAX_ID, integer_schema
from smarketing.api.viewsets import TenantAPIView, TenantViewSet
from smarketing.periods import NAMED_PATTERN, parse_named
from smarketing.tenancy.actors import Actor


class SlaVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Versions of the SLA between marketing and sales: draft → active → retired."""

    queryset = SlaVersion.all_tenants.none()
    serializer_class = s.SlaVersionSerializer
    lookup_value_regex = r"\d+"
    capabilities = {
        "create": "sla.manage",
        "partial_update": "sla.manage",
        "sign": "sla.sign",
        "activate": "sla.manage",
    }

    def get_queryset(self):
        return selectors.version_list()

    def _render(self, version: SlaVersion, status_code: int = 200) -> Response:
        version = selectors.version_list().get(pk=version.pk)
        return Response(s.SlaVersionSerializer(version).data, status=status_code)

    @extend_schema(request=s.SlaVersionWriteSerializer, responses={201: s.SlaVersionSerializer})
    def create(self, request):
        """A new draft; terms left out take the defaults, the calendar the office hours."""
        body = s.SlaVersionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = services.sla_version_create(
            tenant=request.tenant, actor=Actor.from_request(request), data=body.validated_data
        )
        return self._render(version, 201)

    @extend_schema(request=s.SlaVersionWriteSerializer, responses=s.SlaVersionSerializer)
    def partial_update(self, request, pk=None):
        """Change a draft (409 `not_a_draft` otherwise); changed terms void the sign-offs."""
        version = self.get_object()
        body = s.SlaVersionWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        services.sla_version_update(
            version=version, actor=Actor.from_request(request), data=body.validated_data
        )
        return self._render(version)

    @extend_schema(request=s.SignSerializer, responses=s.SlaVersionSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign a draft for marketing or for sales (managers and admins may sign either)."""
        version = self.get_object()
        body = s.SignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.sla_version_sign(
            version=version, actor=Actor.from_request(request), side=body.validated_data["side"]
        )
        return self._render(version)

    @extend_schema(request=None, responses=s.SlaVersionSerializer)
    @action(detail=True, methods=["post"])
    def activate(self, request, pk=None):
        """Make a signed draft the SLA in force; the previous active version retires."""
        version = self.get_object()
        services.sla_version_activate(version=version, actor=Actor.from_request(request))
        return self._render(version)


class ObligationFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ObligationStatus.choices)
    kind = django_filters.ChoiceFilter(choices=ObligationKind.choices)
    owner = django_filters.CharFilter(method="filter_owner", label="Owner id, e-mail or 'me'")
    lead = IntegerFilter(field_name="lead_id")

    class Meta:
        model = Obligation
        fields = ["status", "kind", "lead"]

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if value == "me":
            user_id = getattr(self.request.user, "pk", None)
            return queryset.filter(owner_id=user_id) if user_id else queryset.none()
        if value.isascii() and value.isdigit() and len(value) < 19:  # "³" is a digit, no int
            return queryset.filter(owner_id=int(value))
        return queryset.filter(owner__email__iexact=value)


class ObligationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """What sales owes on each lead and by when; times carry the SLA calendar's offset."""

    queryset = Obligation.all_tenants.none()
    serializer_class = s.ObligationSerializer
    filter_backends = [FilterBackend]
    filterset_class = ObligationFilter

    def get_queryset(self):
        return selectors.obligation_list()


class PeriodFilter(django_filters.Filter):
    """A month `YYYY-MM` or a quarter `YYYY-Qn`; blank is refused like any non-text filter."""

    field_class = forms.CharField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "string", "pattern": NAMED_PATTERN})


class ShortfallFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ShortfallStatus.choices)
    term = django_filters.ChoiceFilter(choices=ShortfallTerm.choices)
    period = PeriodFilter(
        method="filter_period", label="A month YYYY-MM, or a quarter YYYY-Qn (its three months)"
    )

    class Meta:
        model = Shortfall
        fields = ["status", "term"]

    def filter_period(self, queryset, name, value):
        # A 400 naming the field (problem+json), as every filter of the API answers.
        period = parse_named(value, tz_name="UTC", field="period")
        return queryset.filter(period_start__range=(period.first_day, period.last_day))


class ShortfallViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Marketing's commitments at risk (behind pace in the running month) or missed (at the
    month's close), newest month first; each recorded once per version, month, term and
    status. Figures are numbers: volumes, or a rate from 0 to 1."""

    queryset = Shortfall.all_tenants.none()
    serializer_class = s.ShortfallSerializer
    filter_backends = [FilterBackend]
    filterset_class = ShortfallFilter
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.shortfall_list()

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "tz_name": self.request.tenant.timezone}


class ComplianceView(TenantAPIView):
    """How well both teams keep the SLA over a period: for sales, obligations met on time,
    response times (median, p90) and breaches by rep; for marketing, MQLs and SQL hand-offs
    against the active version's monthly targets (pro-rated to the period), the acceptance
    rate against its minimum, and the rejection reasons. Days are those of the SLA
    calendar's timezone; sales figures are of the obligations opened in the period.
    `breaches_side_by_side` puts both teams' broken promises next to each other: sales'
    breaches recorded in the range, marketing's shortfalls of the months overlapping it."""

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", OpenApiTypes.DATE, description="First day (default: 29 days before `to`)"
            ),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today)"),
            OpenApiParameter(
                "group_by",
                str,
                enum=list(GROUPS),
                description="Split the sales figures by rep, team or week (week "
                "splits the marketing figures too)",
            ),
            OpenApiParameter(
                "team",
                integer_schema(minimum=1, maximum=MAX_ID),
                description="Only the obligations of this team's reps (404 when no such team)",
            ),
        ],
        responses=OpenApiResponse(OpenApiTypes.OBJECT, description="The compliance report"),
    )
    def get(self, request):
        params = request.query_params
        group_by, team_id = parse_group_by(params), parse_team(params)
        state = services.compliance_rollups_refresh(tenant_id=request.tenant.pk)
        tz_name = state.timezone if state else rollup_timezone()
        period = parse_period(params, tz_name=tz_name, blank_is_default=False)
        report = compliance_report(period=period, group_by=group_by, team_id=team_id,
                                   state=state)  # fmt: skip
        report["breaches_side_by_side"] = selectors.breaches_side_by_side(
            first_day=period.start, last_day=period.end, tz_name=report["timezone"],
            tenant_tz=request.tenant.timezone,
        )  # fmt: skip
        return Response(report)


@extend_schema_view(get=extend_schema(operation_id="v1_sla_compliance_csv", responses=CSV_SCHEMA))
class ComplianceCsvView(ComplianceView):
    """The compliance report with the same parameters, as CSV (`sla.compliance.csv`): the
    report is the JSON view's own answer, so both always take the same filters."""

    renderer_classes = [JSONRenderer, CSVRenderer]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response) and response.status_code == 200:
            response = csv_download(
                request=request, name="sla-compliance", header=compliance_csv.HEADER,
                rows=compliance_csv.compliance_rows(response.data),
            )  # fmt: skip
        return super().finalize_response(request, response, *args, **kwargs)
