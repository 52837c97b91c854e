from rest_framework.pagination import CursorPagination as BaseCursorPagination


class CursorPagination(BaseCursorPagination):
    """Stable pages over changing data: `{"next", "previous", "results"}`."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
