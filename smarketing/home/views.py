"""The home page (`/t/<slug>/`): the tiles of the member's role, and a lazy tile's fragment."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.views.generic import TemplateView

from smarketing.home import services
from smarketing.home.tiles import HomeContext, tile_for, tiles_for
from smarketing.tenancy.views import TenantPageMixin


def _context(request, *, last_visit) -> HomeContext:
    return HomeContext(
        request=request, tenant=request.tenant, user=request.user, role=request.role,
        now=timezone.now(), last_visit=last_visit,
    )  # fmt: skip


class HomeView(TenantPageMixin, TemplateView):
    """Every member's home: what needs them now, each tile linking to the page behind it."""

    template_name = "home/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        last_visit = services.home_visit_record(
            tenant=request.tenant, user=request.user, now=timezone.now()
        )
        visit = _context(request, last_visit=last_visit)
        context["tiles"] = [
            (tile, None if tile.lazy else tile.build(visit)) for tile in tiles_for(request.role)
        ]
        context["last_visit"] = last_visit
        return context


class TileView(TenantPageMixin, TemplateView):
    """One tile alone, for a lazy tile the home fetches after it loads.

    A tile the member's role does not see is a 404, as a page of another tenant is.
    """

    template_name = "home/_tile.html"

    def get_context_data(self, key: str, **kwargs):
        context = super().get_context_data(**kwargs)
        tile = tile_for(key, role=self.request.role)
        if tile is None:
            raise Http404("No such tile.")
        since = services.home_visit_since(user=self.request.user)
        context.update(tile=tile, data=tile.build(_context(self.request, last_visit=since)))
        return context
