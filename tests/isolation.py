"""The tenant-isolation matrix: every API route and tenant page, called with tenant B's
credentials and tenant A's ids, must answer 404.

Routes are read from the URL conf, so a new endpoint joins the matrix without anyone editing
the test. The model behind a route comes from the view (`queryset.model`, `model`, or
`isolation_model`), and rows of it are made by the factory registered for that model.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from factory.django import DjangoModelFactory

import tests

OBJECT_KWARGS = ("pk", "id", "lead_id", "lead_pk")
_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)|<(?:(\w+):)?(\w+)>")


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "api/v1/leads/{pk}/history/"
    params: tuple[str, ...]
    view: object
    methods: tuple[str, ...]

    @property
    def view_class(self):
        return getattr(self.view, "cls", None) or getattr(self.view, "view_class", None)

    @property
    def model(self):
        cls = self.view_class
        for attribute in ("isolation_model", "model"):
            if getattr(cls, attribute, None) is not None:
                return getattr(cls, attribute)
        queryset = getattr(cls, "queryset", None)
        return queryset.model if queryset is not None else None

    def path(self, **values) -> str:
        # A further id in the route (a delivery of an endpoint) takes the object's id too:
        # the object belongs to another tenant, so the answer must be 404 whatever it is.
        stand_in = values.get(object_param(self) or "", 0)
        return "/" + self.template.format(**{p: values.get(p, stand_in) for p in self.params})


def _clean(pattern: str) -> tuple[str, list[str]]:
    params: list[str] = []

    def replace(match: re.Match) -> str:
        name = match.group(1) or match.group(3)
        params.append(name)
        return "{" + name + "}"

    text = _GROUP.sub(replace, pattern)
    text = text.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\.", ".")
    text = re.sub(r"\(\?:[^)]*\)\?", "", text)  # optional format suffixes
    return text, params


def _methods(view) -> tuple[str, ...]:
    actions = getattr(view, "actions", None)
    if actions:
        return tuple(method.upper() for method in actions)
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is None:
        return ("GET",)
    return tuple(m.upper() for m in ("get", "post", "put", "patch", "delete") if hasattr(cls, m))


def routes(prefix: str) -> list[Route]:
    found: list[Route] = []

    def walk(patterns, base: str):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, base + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                template, params = _clean(base + str(entry.pattern))
                if template.startswith(prefix) and "{format}" not in template:
                    found.append(
                        Route(template, tuple(params), entry.callback, _methods(entry.callback))
                    )

    walk(get_resolver().url_patterns, "")
    return found


def object_param(route: Route) -> str | None:
    return next((p for p in route.params if p in OBJECT_KWARGS), None)


def factories_by_model() -> dict[type, type[DjangoModelFactory]]:
    """Every factory in tests/**/factories.py, by the model it makes."""
    for module in pkgutil.walk_packages(tests.__path__, "tests."):
        if module.name.endswith("factories"):
            importlib.import_module(module.name)
    registry: dict[type, type[DjangoModelFactory]] = {}
    stack = list(DjangoModelFactory.__subclasses__())
    while stack:
        factory_class = stack.pop()
        stack.extend(factory_class.__subclasses__())
        model = factory_class._meta.model
        if model is not None and not factory_class._meta.abstract:
            registry.setdefault(model, factory_class)
    return registry
