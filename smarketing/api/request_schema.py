"""The JSON types of a body are checked against the operation's schema in the OpenAPI document.

The document is what integrations code against. DRF's fields are lenient about types: they
take 5 for a text, "yes" for a boolean, "12" for a number, while the document promises a
string, a boolean, a number. Checking the types against the very schema that is published
makes the two agree by construction; the serializers and services then check the values
(bounds, formats, choices, required and unknown fields) with messages written for people.

The schema is generated once per process, on the first request with a body.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft7Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

COMPONENTS = "urn:smarketing:components"
TYPE_NAMES = {
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 schema -> JSON Schema: `nullable` becomes "or null", refs point home."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {
        key: _json_schema(value)
        for key, value in node.items()
        if key not in {"nullable", "readOnly", "writeOnly", "example", "discriminator"}
    }
    # A float multipleOf (0.01) fails valid values by rounding (0.29 / 0.01 = 28.999...);
    # decimal places are checked by the serializer field itself.
    if isinstance(converted.get("multipleOf"), float):
        del converted["multipleOf"]
    if "$ref" in converted:
        converted["$ref"] = converted["$ref"].replace("#/components/schemas/", f"{COMPONENTS}#/")
    if node.get("nullable"):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _validators() -> list[tuple[re.Pattern, str, Draft7Validator]]:
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    components = _json_schema(document.get("components", {}).get("schemas", {}))
    registry = Registry().with_resource(
        COMPONENTS, Resource.from_contents(components, default_specification=DRAFT7)
    )
    found = []
    for path, item in document["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                schema = _json_schema(content["application/json"]["schema"])
                validator = Draft7Validator(schema, registry=registry)
                found.append((pattern, method.upper(), validator, path.count("{")))
    # A literal segment ("bulk") wins over a parameter ("{id}") at the same place.
    found.sort(key=lambda entry: entry[3])
    return [(pattern, method, validator) for pattern, method, validator, _ in found]


def body_validator(path: str, method: str) -> Draft7Validator | None:
    for pattern, operation_method, validator in _validators():
        if operation_method == method and pattern.match(path):
            return validator
    return None


def _join(path: str, name: Any) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else str(name)


def _location(error: ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path = _join(path, part)
    return path


def _is_decimal_text(error: ValidationError) -> bool:
    # A decimal travels as text, and DRF would also take "1e5" or "+5": the text must be
    # written as the published pattern says, which is a matter of type, not of value.
    return error.validator == "pattern" and error.schema.get("format") == "decimal"


def _wanted_types(error: ValidationError) -> list[str]:
    if _is_decimal_text(error):
        return ["a decimal number such as 12.50"]
    if error.validator == "type":
        value = error.validator_value
        return value if isinstance(value, list) else [value]
    return [name for inner in error.context for name in _wanted_types(inner)]


def _message(error: ValidationError) -> str:
    names = []
    for name in _wanted_types(error):
        if TYPE_NAMES.get(name, name) not in names:
            names.append(TYPE_NAMES.get(name, name))
    return "Must be " + " or ".join(names) + "."


def _is_type_error(error: ValidationError) -> bool:
    if error.validator == "type" or _is_decimal_text(error):
        return True
    # Alternatives (a nullable field's anyOf, a blank-or-slug oneOf) are a type error when
    # every alternative refused the value's type.
    return error.validator in {"anyOf", "oneOf"} and all(_is_type_error(e) for e in error.context)


def body_errors(validator: Draft7Validator, data: Any) -> dict[str, list[str]]:
    """Type errors as the API reports them: `{"field": [...], "items[2].email": [...]}`.

    Only JSON types are checked here. Bounds, formats, choices, required and unknown fields
    are the serializers' and services' to check, with messages written for people; the
    schema states them, and the property-based run holds the two to agreement.
    """
    errors: dict[str, list[str]] = {}
    for error in validator.iter_errors(data):
        if _is_type_error(error):
            errors.setdefault(_location(error) or "non_field_errors", []).append(_message(error))
    return errors
