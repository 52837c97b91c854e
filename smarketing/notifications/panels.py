"""Sections other apps add to a person's preferences page (the notifications page).

The core imports no app: an app registers a template and a function that returns that
template's context for the request (or None to show nothing), in its `AppConfig.ready`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

PanelContext = Callable[[Any], dict[str, Any] | None]

_panels: list[tuple[str, PanelContext]] = []


def register_preferences_panel(template: str, context: PanelContext) -> None:
    if all(existing != template for existing, _ in _panels):
        _panels.append((template, context))


def preferences_panels(request) -> list[dict[str, Any]]:
    """`[{"template": name, **context}]` of every panel that has something to show."""
    shown = []
    for template, context in _panels:
        values = context(request)
        if values is not None:
            shown.append({"template": template, **values})
    return shown
