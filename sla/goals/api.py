"""Shared goals on the API: list and set them, sign them, and the scoreboard of a period.

Thin: input is parsed here, the rules live in `sla.goals.services` (writes), `sla.signoff`
(who signs) and `sla.goals.status` (how a goal stands).
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from sla import signoff
from sla.goals import selectors, services
from sla.goals.metrics import GoalMetric, GoalOwner
from sla.goals.models import Goal
from sla.goals.status import GoalStatus
from sla.serializers import PersonSerializer
from smarketing.api.serializers import StrictSerializer
from smarketing.api.viewsets import TenantViewSet
from smarketing.periods import NAMED_PATTERN, Period, current_month, parse_named
from smarketing.tenancy.actors import Actor

PERIOD_PATTERN = NAMED_PATTERN
PERIOD_HELP = "A month (YYYY-MM) or a quarter (YYYY-Qn) of the tenant's calendar."
MAX_TARGET = Decimal("9999999999999.999")  # what 16 digits with 3 places hold


def _number(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=3, coerce_to_string=False,
                                    **kwargs)  # fmt: skip


class GoalWriteSerializer(StrictSerializer):
    period = serializers.RegexField(
        PERIOD_PATTERN, help_text=PERIOD_HELP + " It must not have ended.",
        error_messages={"invalid": "A month as YYYY-MM or a quarter as YYYY-Qn, e.g. 2027-01, "
                                   "from 0002-01 to 9999-11."},
    )  # fmt: skip
    metric = serializers.ChoiceField(choices=GoalMetric.choices)
    target = _number(
        min_value=Decimal("0.001"), max_value=MAX_TARGET,
        error_messages={"min_value": "A target must be positive."},
        help_text="Positive. A count is a whole number, an amount has at most two decimals, "
        "the acceptance rate is a share from 0 to 1 (0.6 for 60 %).",
    )  # fmt: skip
    owner = serializers.ChoiceField(choices=GoalOwner.choices)


class GoalSignSerializer(StrictSerializer):
    side = serializers.ChoiceField(
        choices=signoff.SIGN_SIDES, required=False,
        help_text="The team signed for. A marketer (marketing) or a sales rep (sales) may omit "
        "it; managers and admins name it.",
    )  # fmt: skip


def signatures_of(goal: Goal) -> dict:
    signatures = {}
    for side in signoff.SIGN_SIDES:
        signer = getattr(goal, f"{side}_signed_by")
        at = getattr(goal, f"{side}_signed_at")
        person = {"id": signer.pk, "email": signer.email} if signer is not None else None
        signatures[side] = {"by": person, "at": at} if at else None
    return signatures


SIGNATURES_SCHEMA = {
    "type": "object",
    "properties": {side: {"type": "object", "nullable": True} for side in signoff.SIGN_SIDES},
}


class GoalSerializer(serializers.ModelSerializer):
    target = _number()
    signatures = serializers.SerializerMethodField()
    in_effect = serializers.SerializerMethodField()
    created_by = PersonSerializer(allow_null=True)

    class Meta:
        model = Goal
        fields = [
            "id", "period", "starts_on", "ends_on", "metric", "target", "owner", "signatures",
            "in_effect", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(SIGNATURES_SCHEMA)
    def get_signatures(self, goal: Goal) -> dict:
        return signatures_of(goal)

    def get_in_effect(self, goal: Goal) -> bool:
        """Signed by a marketing member and a sales member."""
        return signoff.is_signed_by_both(goal)


class GoalScoreSerializer(GoalSerializer):
    """A goal with how it stands; `context["scores"]` maps goal ids to their `GoalScore`."""

    actual = serializers.SerializerMethodField()
    expected_by_now = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    class Meta(GoalSerializer.Meta):
        fields = [*GoalSerializer.Meta.fields, "actual", "expected_by_now", "status"]
        read_only_fields = fields

    @extend_schema_field(_number(allow_null=True, help_text="null: a rate, nothing decided yet"))
    def get_actual(self, goal: Goal):
        actual = self.context["scores"][goal.pk].actual
        return None if actual is None else _number().to_representation(actual)

    @extend_schema_field(_number())
    def get_expected_by_now(self, goal: Goal):
        return _number().to_representation(self.context["scores"][goal.pk].expected_by_now)

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in GoalStatus]))
    def get_status(self, goal: Goal) -> str:
        return self.context["scores"][goal.pk].status.value


class ScoreboardSerializer(serializers.Serializer):
    period = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    timezone = serializers.CharField()
    now = serializers.DateTimeField()
    elapsed_share = serializers.FloatField(help_text="Share of the period's business time gone")
    goals = GoalScoreSerializer(many=True)


def _period_param(request, *, required: bool) -> Period | None:
    raw = request.query_params.get("period")
    tz_name = request.tenant.timezone or "UTC"
    if raw is None:
        return current_month(tz_name) if required else None
    return parse_named(raw, tz_name=tz_name)


PERIOD_PARAMETER = OpenApiParameter(
    "period", {"type": "string", "pattern": PERIOD_PATTERN}, description=PERIOD_HELP
)


class GoalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """Shared goals: a target on one funnel metric for a month or a quarter, in effect once a
    marketing member and a sales member signed it. Managers and admins set them."""

    queryset = Goal.all_tenants.none()
    serializer_class = GoalSerializer
    lookup_value_regex = r"\d+"
    capabilities = {"create": "goals.manage", "sign": "goals.sign"}

    def get_queryset(self):
        if self.action == "list":
            return selectors.goal_list(period=_period_param(self.request, required=False))
        return selectors.goal_list()

    @extend_schema(parameters=[PERIOD_PARAMETER])
    def list(self, request, *args, **kwargs):
        """Goals, newest period first; `period` keeps one month's or quarter's."""
        return super().list(request, *args, **kwargs)

    def _render(self, goal: Goal, status_code: int = 200) -> Response:
        goal = selectors.goal_list().get(pk=goal.pk)
        return Response(GoalSerializer(goal).data, status=status_code)

    @extend_schema(request=GoalWriteSerializer, responses={201: GoalSerializer})
    def create(self, request):
        """Set a goal (managers and admins) for a period that has not ended."""
        body = GoalWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        goal = services.goal_create(
            tenant=request.tenant, actor=Actor.from_request(request), **body.validated_data
        )
        return self._render(goal, 201)

    @extend_schema(request=GoalSignSerializer, responses=GoalSerializer)
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the goal for a side; with both sides signed it is in effect."""
        goal = self.get_object()
        body = GoalSignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.goal_sign(
            goal=goal, actor=Actor.from_request(request), side=body.validated_data.get("side")
        )
        return self._render(goal)

    @extend_schema(parameters=[PERIOD_PARAMETER], responses=ScoreboardSerializer, filters=False)
    @action(detail=False, methods=["get"], pagination_class=None)
    def scoreboard(self, request):
        """Each goal of the period (default: this month) with its target, its actual so far,
        the figure expected by now at the agreed pace, and its status: on_track, at_risk,
        met or missed (docs/goals.md says how each is decided)."""
        period = _period_param(request, required=True)
        board = selectors.goal_scoreboard(tenant=request.tenant, period=period,
                                          now=timezone.now())  # fmt: skip
        data = {
            "period": period.label, "starts_on": period.first_day, "ends_on": period.last_day,
            "timezone": period.tz_name, "now": board.now, "elapsed_share": board.elapsed_share,
            "goals": [score.goal for score in board.scores],
        }  # fmt: skip
        scores = {score.goal.pk: score for score in board.scores}
        return Response(ScoreboardSerializer(data, context={"scores": scores}).data)
