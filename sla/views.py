"""SLA pages: the compliance dashboard, and the editor of versions (draft, diff, sign-off,
activation). Thin: forms in, the services of `sla.services.versions`, templates out.

Every member reads the dashboard and the versions: the SLA is the contract both teams signed
and the scoreboard they share. Drafting, editing and activating are for managers and admins
(`sla.manage`); signing is for each side's members (the service checks the side).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from leads.routing.models import Team
from sla import selectors, services
from sla.compliance.periods import parse_period
from sla.diff import version_diff, version_terms
from sla.errors import InvalidSlaData
from sla.forms import SlaVersionForm
from sla.models import SIGN_SIDES, SlaStatus, SlaVersion
from sla.services.rollups import rollup_timezone
from sla.services.versions import signable_sides
from smarketing.errors import DomainError
from smarketing.periods import InvalidPeriod
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin


def _version(pk: int) -> SlaVersion:
    return get_object_or_404(selectors.version_list(), pk=pk)


def _detail_url(request, pk: int) -> str:
    return reverse("sla:version", args=[request.tenant.slug, pk])


class DashboardView(TenantPageMixin, TemplateView):
    """Compliance charts (drawn from the compliance API) and the list of versions."""

    template_name = "sla/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tz_name = rollup_timezone()
        try:
            period = parse_period(self.request.GET, tz_name=tz_name)
        except InvalidPeriod as error:
            messages.error(self.request, error.detail)
            period = parse_period({}, tz_name=tz_name)
        team = (self.request.GET.get("team") or "").strip()
        teams = list(Team.objects.order_by("name").values_list("pk", "name"))
        context.update(
            period=period,
            range_days=period.days,
            week_range_start=max(period.first_day, period.last_day - timedelta(weeks=12)),
            teams=teams,
            team=int(team) if team.isdigit() and int(team) in dict(teams) else None,
            versions=list(selectors.version_list().order_by("-number")),
            active=selectors.active_version(),
            can_manage=has_capability(self.request.role, "sla.manage"),
        )
        return context


class _VersionPage(TenantPageMixin):
    """A page of one version (`pk`): found in the tenant, else 404, before any role check."""

    model = SlaVersion

    def page_object_queryset(self):
        return selectors.version_list()


class VersionDetailView(_VersionPage, TemplateView):
    template_name = "sla/version_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.page_object
        role, user_id = self.request.role, self.request.user.pk
        draft = version.status == SlaStatus.DRAFT
        sign_sides = signable_sides(version=version, role=role, user_id=user_id)
        can_manage = has_capability(role, "sla.manage")
        signed = all(getattr(version, f"{side}_signed_at") for side in SIGN_SIDES)
        context.update(
            version=version,
            terms=version_terms(version),
            signatures=[(side, getattr(version, f"{side}_signed_by"),
                         getattr(version, f"{side}_signed_at")) for side in SIGN_SIDES],
            sign_sides=sign_sides,
            can_edit=can_manage and draft,
            can_activate=can_manage and draft and signed,
            others=list(selectors.version_list().exclude(pk=version.pk).order_by("-number")),
        )  # fmt: skip
        return context


class VersionFormView(_VersionPage, TemplateView):
    """A new draft (no pk; it starts from the active version's terms) or a draft's edit."""

    template_name = "sla/version_form.html"
    capability = "sla.manage"

    def show(self, form, version=None, status: int = 200):
        return render(self.request, self.template_name, {"form": form, "version": version},
                      status=status)  # fmt: skip

    def get(self, request, pk: int | None = None):
        if pk is not None:
            version = self.page_object
            return self.show(SlaVersionForm(initial=SlaVersionForm.initial_from(version)), version)
        start = selectors.active_version() or selectors.version_list().order_by("-number").first()
        initial = SlaVersionForm.initial_from(start) if start else {}
        initial["name"] = ""
        return self.show(SlaVersionForm(initial=initial))

    def post(self, request, pk: int | None = None):
        version = self.page_object
        form = SlaVersionForm(request.POST)
        if not form.is_valid():
            return self.show(form, version, status=400)
        actor = Actor.from_request(request)
        try:
            if version is None:
                version = services.sla_version_create(
                    tenant=request.tenant, actor=actor, data=form.data_for_service()
                )
                messages.success(request, f"Draft v{version.number} saved: both teams sign it, "
                                          "then a manager activates it.")  # fmt: skip
            else:
                services.sla_version_update(
                    version=version, actor=actor, data=form.data_for_service()
                )
                messages.success(request, "Draft saved. Changed terms need both signatures again.")
        except InvalidSlaData as error:
            for field, problems in error.errors.items():
                form.add_error(field if field in form.fields else None, problems[0])
            return self.show(form, version, status=400)
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect(_detail_url(request, version.pk)) if version else self.show(form)
        return redirect(_detail_url(request, version.pk))


class VersionSignView(_VersionPage, View):
    capability = "sla.sign"

    def post(self, request, pk: int):
        version = self.page_object
        side = request.POST.get("side", "")
        try:
            services.sla_version_sign(version=version, actor=Actor.from_request(request), side=side)
            messages.success(request, f"Signed for {side}.")
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect(_detail_url(request, version.pk))


class VersionActivateView(_VersionPage, View):
    post_capability = "sla.manage"

    def post(self, request, pk: int):
        version = self.page_object
        try:
            services.sla_version_activate(version=version, actor=Actor.from_request(request))
            messages.success(request, f"Version {version.number} is now the SLA in force.")
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect(_detail_url(request, version.pk))


class VersionCompareView(_VersionPage, TemplateView):
    """Term by term, this version against another (`?with=<id>`; default: the active one)."""

    template_name = "sla/compare.html"

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        version = self.page_object
        other_id = (self.request.GET.get("with") or "").strip()
        if other_id.isdigit():
            other = _version(int(other_id))
        else:
            other = selectors.active_version() or version
        rows = version_diff(other, version)
        context.update(version=version, other=other, rows=rows,
                       changed=sum(row.changed for row in rows),
                       others=list(selectors.version_list().exclude(pk=version.pk)
                                   .order_by("-number")))  # fmt: skip
        return context
