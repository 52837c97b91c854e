from rest_framework.pagination import CursorPagination as BaseCursorPagination
from rest_framework.pagination import LimitOffsetPagination as BaseLimitOffsetPagination

from smarketing.api.params import integer_schema, query_int

MAX_OFFSET = 2**31 - 1


def _bounded(parameters: list[dict], bounds: dict[str, dict]) -> list[dict]:
    for parameter in parameters:
        if parameter["name"] in bounds:
            parameter["schema"] = bounds[parameter["name"]]
    return parameters


class CursorPagination(BaseCursorPagination):
    """Stable pages over changing data: `{"next", "previous", "results"}`.

    `page_size` is 1 to `max_page_size`, or a 400 (DRF would quietly use the default).
    """

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        size = query_int(
            request.query_params, self.page_size_query_param, minimum=1, maximum=self.max_page_size
        )
        return self.page_size if size is None else size

    def get_schema_operation_parameters(self, view):
        bounds = {self.page_size_query_param: integer_schema(minimum=1, maximum=self.max_page_size)}
        return _bounded(super().get_schema_operation_parameters(view), bounds)


class LimitOffsetPagination(BaseLimitOffsetPagination):
    """Offset pages; `limit` and `offset` as strict as `page_size` above."""

    def get_limit(self, request):
        limit = query_int(
            request.query_params, self.limit_query_param, minimum=1, maximum=self.max_limit
        )
        return self.default_limit if limit is None else limit

    def get_offset(self, request):
        offset = query_int(
            request.query_params, self.offset_query_param, minimum=0, maximum=MAX_OFFSET
        )
        return offset or 0

    def get_schema_operation_parameters(self, view):
        bounds = {
            self.limit_query_param: integer_schema(minimum=1, maximum=self.max_limit),
            self.offset_query_param: integer_schema(minimum=0, maximum=MAX_OFFSET),
        }
        return _bounded(super().get_schema_operation_parameters(view), bounds)
