"""Content negotiation that refuses `?format=` naming no format, as it refuses unknown ones."""

from django.http import Http404
from rest_framework.negotiation import DefaultContentNegotiation


class StrictFormatNegotiation(DefaultContentNegotiation):
    """DRF ignores an empty `format` but answers 404 to an unknown one; the schema lists the
    formats an operation gives, so an empty value is as unknown as any other."""

    def select_renderer(self, request, renderers, format_suffix=None):
        name = self.settings.URL_FORMAT_OVERRIDE
        if name and name in request.query_params and not request.query_params[name].strip():
            raise Http404("No such format here.")
        return super().select_renderer(request, renderers, format_suffix)
