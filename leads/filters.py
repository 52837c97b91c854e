import django_filters

from leads.models import Lead, Stage
from leads.selectors import lead_search_filter


class LeadFilter(django_filters.FilterSet):
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices)
    owner = django_filters.CharFilter(
        method="filter_owner", label="Owner id, e-mail, 'me' or 'none'"
    )
    campaign = django_filters.NumberFilter(field_name="campaign_id")
    persona = django_filters.NumberFilter(field_name="persona_id")
    is_cold = django_filters.BooleanFilter()
    score_min = django_filters.NumberFilter(field_name="score", lookup_expr="gte")
    score_max = django_filters.NumberFilter(field_name="score", lookup_expr="lte")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
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
        if value.isdigit():
            return queryset.filter(owner_id=int(value))
        return queryset.filter(owner__email__iexact=value)

    def filter_search(self, queryset, name, value):
        return queryset.filter(lead_search_filter(value))
