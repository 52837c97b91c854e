"""OpenAPI descriptions of our own authentication, for drf-spectacular."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "smarketing.tenancy.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `manage.py create_api_key`: "
            "`Authorization: Bearer smk_…`. The key decides the tenant.",
        }


class DecimalTextField(OpenApiSerializerFieldExtension):
    """Decimals travel as text. drf-spectacular's pattern lets "", "-" and "." through, which
    are no numbers; this one needs a digit, and no sign where `min_value` refuses negatives.
    In requests a JSON number is documented too, since DRF takes one. A decimal that travels
    as a JSON number (`coerce_to_string=False`) says how many places it takes, as
    `multipleOf`: DRF refuses 0.4659 where three places are allowed."""

    target_class = "rest_framework.fields.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        schema = auto_schema._map_serializer_field(field, direction, bypass_extensions=True)
        if schema.get("type") == "number" and direction == "request":
            if field.decimal_places is not None:
                schema["multipleOf"] = 10**-field.decimal_places
            return schema
        if schema.get("type") != "string" or field.max_whole_digits is None:
            return schema
        whole, places = field.max_whole_digits, field.decimal_places
        not_negative = field.min_value is not None and field.min_value >= 0
        sign = "" if not_negative else "-?"
        number = rf"\d{{1,{whole}}}(?:\.\d{{0,{places}}})?" if whole else "0"
        schema["pattern"] = rf"^{sign}(?:{number}|\.\d{{1,{places}}})$"
        if direction != "request":
            return schema
        # DRF also takes a JSON number: say so, with the same bounds.
        as_number = {"type": "number", "multipleOf": 10**-places}
        if field.min_value is not None:
            as_number["minimum"] = float(field.min_value)
        as_number["maximum"] = float(
            field.max_value if field.max_value is not None else 10**whole - 10**-places
        )
        return {"anyOf": [schema, as_number]}
