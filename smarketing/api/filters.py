"""Filters whose OpenAPI declaration is the rule they enforce."""

from __future__ import annotations

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.drainage import set_override
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter

from smarketing.api.params import MAX_ID, integer_schema


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds (an id by default); anything else is a 400.

    django-filter's NumberFilter takes decimals ("0.5") and any size ("1e97"), while the
    schema says integer: the two now agree, and the bounds are published with the filter.
    """

    field_class = forms.IntegerField

    def __init__(self, *args, minimum: int = 1, maximum: int = MAX_ID, **kwargs):
        super().__init__(*args, min_value=minimum, max_value=maximum, **kwargs)
        set_override(self, "field", integer_schema(minimum=minimum, maximum=maximum))


class BooleanFilter(django_filters.BooleanFilter):
    """`true` or `false`, as the schema says; django-filter would read "null", "unknown" or
    any other text as "no filter" and quietly return everything."""

    field_class = forms.TypedChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", [("true", "true"), ("false", "false")])
        kwargs.setdefault("coerce", lambda value: value == "true")
        kwargs.setdefault("empty_value", None)
        super().__init__(*args, **kwargs)
        set_override(self, "field", {"type": "boolean"})


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, minus one leniency: a filter given blank (`created_before=`)
    is ignored there, while the schema calls a blank date, number or choice invalid. Only
    free-text filters may be blank."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not _names_a_filter(
            request.query_params, filterset_class.base_filters
        ):
            # No parameter of any of its filters: the filterset would validate nothing and
            # filter nothing (django-filter skips a filter without a value), while building
            # it and its form costs a quarter of a list page's CPU.
            return queryset
        return super().filter_queryset(request, queryset, view)

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        blank = [
            name
            for name, declared in filterset.filters.items()
            if not isinstance(declared, django_filters.CharFilter)
            and any(not value.strip() for value in request.query_params.getlist(name))
        ]
        if blank:
            raise ValidationError(
                {name: ["Give a value, or leave the parameter out."] for name in blank}
            )
        return filterset


def _names_a_filter(params, filter_names) -> bool:
    """Whether a query parameter is, or may be a part of (`score_min`, `created_0`), one of
    the filters. By prefix: a false match only costs the full check."""
    return any(key.startswith(name) for key in params for name in filter_names)


class StableOrderingFilter(OrderingFilter):
    """The ordering asked for, then the newest first among equals.

    Ordered by a field many rows share (`score`), a page's rows would otherwise come in
    whatever order the database found them, and could move between pages from one request
    to the next.
    """

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if not {"id", "-id", "pk", "-pk"} & set(ordering):
            ordering.append("-id")
        return ordering
