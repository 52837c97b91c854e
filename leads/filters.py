from collections.abc import Callable
from datetime import UTC

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django_filters.fields import IsoDateTimeField

from leads.models import Lead, Stage
from leads.selectors import lead_search_filter
from smarketing.api.filters import BooleanFilter, IntegerFilter

SCORE_MAX = 100


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO 8601 with any offset, compared in UTC: the database accepts only real offsets."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("The date is out of range.", code="invalid") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class LeadFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    owner = django_filters.CharFilter(
        method="filter_owner", label="Owner id, e-mail, 'me' or 'none'"
    )
    campaign = IntegerFilter(field_name="campaign_id")
    persona = IntegerFilter(field_name="persona_id")
    is_cold = BooleanFilter()
    score_min = IntegerFilter(field_name="score", lookup_expr="gte", minimum=0, maximum=SCORE_MAX)
    score_max = IntegerFilter(field_name="score", lookup_expr="lte", minimum=0, maximum=SCORE_MAX)
    created_after = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = UtcIsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="filter_search", label="Search e-mail, name, company")

    class Meta:
        model = Lead
        fields = ["stage", "campaign", "persona", "is_cold"]

    def filter_owner(self, queryset, name, value):
        value = value.strip()
        if value == "none":
            return queryset.filter(owner__isnull=True)
        if value == "me":
            user = getattr(self.request, "user", None)
            return queryset.filter(owner_id=getattr(user, "pk", None))
        if value.isascii() and value.isdigit() and len(value) < 19:  # "³" is a digit, no int
            return queryset.filter(owner_id=int(value))
        return queryset.filter(owner__email__iexact=value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(lead_search_filter(value))


# Which leads still owe their first sales touch is the SLA's to say (its pending
# `first_touch` obligations): `sla` registers the condition, as it does the queue's hot score.
_first_touch_owed: Callable[[], Q] | None = None


def first_touch_owed_condition_set(condition: Callable[[], Q]) -> None:
    global _first_touch_owed
    _first_touch_owed = condition


class LeadPageFilter(LeadFilter):
    """The lead list page's filters: the API's, plus those the home's tiles link to."""

    first_touch = django_filters.ChoiceFilter(
        choices=[("owed", "Still owed")], method="filter_first_touch", label="First touch"
    )

    def filter_first_touch(self, queryset, name, value):
        if _first_touch_owed is None:
            return queryset.none()
        return queryset.filter(_first_touch_owed())
