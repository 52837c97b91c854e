"""Request bodies in the OpenAPI document say what the API refuses (a drf-spectacular hook).

Every endpoint refuses fields it does not know (see `request_schema`), so every request
object is closed with `additionalProperties: false`; free-form maps (custom fields, event
properties) declare their own `additionalProperties` and stay as they are.
"""

from __future__ import annotations


def _close(schema: dict) -> None:
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "object" and "properties" in schema:
        schema.setdefault("additionalProperties", False)
    for child in schema.get("properties", {}).values():
        _close(child)
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            _close(schema[key])
    for key in ("allOf", "anyOf", "oneOf"):
        for child in schema.get(key, []):
            _close(child)


def closed_request_bodies(result, generator, request, public):
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):  # request components (COMPONENT_SPLIT_REQUEST)
            _close(component)
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            body = operation.get("requestBody", {})
            for media in body.get("content", {}).values():
                _close(media.get("schema", {}))
                if media.get("schema", {}).get("type") == "array":
                    body["required"] = True  # a list body (events) has no default
    return result
