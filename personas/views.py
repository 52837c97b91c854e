"""Persona pages: list with performance, create/edit, compare versions, comment, approve;
and the tenant's scoring settings. Thin: forms in, services and selectors, templates out."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import TemplateView

from personas import selectors, services
from personas.errors import InvalidPersonaData
from personas.forms import (
    CriterionFormSet,
    PersonaForm,
    ScoringSettingsForm,
    criteria_initial,
    field_choices,
)
from personas.models import ApprovalSide, BuyerPersona, PersonaStatus, RescoreJob
from personas.scoring import STANDARD_FIELDS
from smarketing.errors import DomainError, InvalidInput
from smarketing.periods import Period
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import LEADERSHIP_ROLES, has_capability, is_sales_side
from smarketing.tenancy.views import TenantPageMixin


def _persona(pk: int) -> selectors.PersonaView:
    return selectors.persona_view(get_object_or_404(selectors.persona_list(), pk=pk))


def _detail_url(request, pk: int) -> str:
    return reverse("personas:detail", args=[request.tenant.slug, pk])


class PersonaListView(TenantPageMixin, TemplateView):
    template_name = "personas/list.html"

    def period(self) -> tuple[Period | None, dict[str, list[str]]]:
        """The performance period the filters ask for (blank: all time); a date it cannot
        read is explained beside its field, and all time shown."""
        try:
            period = selectors.performance_period(
                self.request.GET, tz_name=self.request.tenant.timezone, blank_is_default=True
            )
        except InvalidInput as problem:
            return None, problem.errors
        return period, {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, errors = self.period()
        views = [selectors.persona_view(p) for p in selectors.persona_list().order_by("-id")]
        performance = selectors.persona_performance(persona_ids=[v.id for v in views],
                                                    period=period)  # fmt: skip
        settings = selectors.scoring_settings_of(tenant_id=self.request.tenant.pk)
        days = {"from": period.first_day, "to": period.last_day} if period else {}
        can_manage = has_capability(self.request.role, "scoring.manage")
        context.update(
            rows=[(view, performance[view.id]) for view in views],
            period=period,
            errors=errors,
            csv_url="/api/v1/personas/performance.csv" + (f"?{urlencode(days)}" if days else ""),
            settings=settings,
            settings_form=ScoringSettingsForm(initial=ScoringSettingsForm.initial_from(settings))
            if can_manage
            else None,
            job=selectors.latest_rescore_job(),
        )
        return context


class PersonaFormView(TenantPageMixin, TemplateView):
    """Create (no pk) or edit a persona: content fields plus rows of weighted criteria."""

    template_name = "personas/form.html"
    capability = "personas.edit"
    model = BuyerPersona

    def forms(self, view: selectors.PersonaView | None, data=None):
        if data is not None:
            return PersonaForm(data), CriterionFormSet(data, prefix="criteria")
        if view is None:
            return PersonaForm(), CriterionFormSet(prefix="criteria")
        return (
            PersonaForm(initial=PersonaForm.initial_from(view.current)),
            CriterionFormSet(prefix="criteria", initial=criteria_initial(view.current.criteria)),
        )

    def show(self, view, form, formset, status: int = 200):
        context = {"persona": view, "form": form, "formset": formset,
                   "standard_fields": STANDARD_FIELDS,
                   "field_choices": field_choices()}  # fmt: skip
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk: int | None = None):
        view = _persona(pk) if pk is not None else None
        return self.show(view, *self.forms(view))

    def post(self, request, pk: int | None = None):
        view = _persona(pk) if pk is not None else None
        form, formset = self.forms(view, request.POST)
        if not (form.is_valid() and formset.is_valid()):
            return self.show(view, form, formset, status=400)
        rows = [f for f in formset.forms if f.cleaned_data and not f.is_blank()]
        data = {**form.data_for_service(), "criteria": [f.criterion() for f in rows]}
        actor = Actor.from_request(request)
        try:
            if view is None:
                persona = services.persona_create(tenant=request.tenant, actor=actor, data=data)
                messages.success(request, "Persona drafted: it scores leads once marketing and "
                                          "sales both approved it.")  # fmt: skip
                return redirect(_detail_url(request, persona.pk))
            version = services.persona_update(persona=view.persona, actor=actor, data=data)
        except InvalidPersonaData as error:
            _attach_errors(error.errors, form, rows)
            return self.show(view, form, formset, status=400)
        if version.number != view.current.number:
            messages.success(request, f"Saved as version {version.number}, a draft: "
                                      "approvals start over.")  # fmt: skip
        else:
            messages.success(request, "Saved.")
        return redirect(_detail_url(request, view.id))


def _attach_errors(errors: dict[str, list[str]], form, rows) -> None:
    for key, messages_ in errors.items():
        if key.startswith("criteria["):
            index = int(key[len("criteria[") : key.index("]")])
            rows[index].add_error(None, messages_[0])
        elif key in form.fields:
            form.add_error(key, messages_[0])
        else:
            form.add_error(None, messages_[0])


class PersonaDetailView(TenantPageMixin, TemplateView):
    template_name = "personas/detail.html"
    model = BuyerPersona

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        view = _persona(pk)
        current = view.current
        approvals = list(current.approvals.all())
        taken = {approval.side for approval in approvals}
        user_id = self.request.user.pk
        context.update(
            persona=view,
            current=current,
            approvals=approvals,
            approve_sides=self.approve_sides(current, taken, approvals, user_id),
            versions=list(selectors.persona_versions(persona=view.persona)),
            comments=list(selectors.persona_comments(persona=view.persona)[:200]),
            performance=selectors.persona_performance(persona_ids=[view.id])[view.id],
            can_edit=has_capability(self.request.role, "personas.edit"),
        )
        return context

    def approve_sides(self, current, taken, approvals, user_id) -> list[ApprovalSide]:
        """The approve buttons this person gets for the current version."""
        role = self.request.role
        if current.status != PersonaStatus.DRAFT or not current.criteria:
            return []
        if any(approval.user_id == user_id for approval in approvals):
            return []
        if role in LEADERSHIP_ROLES:
            sides = list(ApprovalSide)
        elif is_sales_side(role):
            sides = [ApprovalSide.SALES]
        elif has_capability(role, "personas.edit"):
            sides = [ApprovalSide.MARKETING]
        else:
            sides = []
        return [side for side in sides if side not in taken]


class PersonaActionView(TenantPageMixin, View):
    """A POST on a persona that calls one service and returns to the persona's page."""

    model = BuyerPersona
    post_capability = "personas.edit"

    def perform(self, request, persona: BuyerPersona) -> str:
        raise NotImplementedError

    def post(self, request, pk: int):
        persona = get_object_or_404(BuyerPersona.objects.all(), pk=pk)
        try:
            messages.success(request, self.perform(request, persona))
        except DomainError as error:
            messages.error(request, error.detail)
        return redirect(_detail_url(request, persona.pk))


class PersonaApproveView(PersonaActionView):
    def perform(self, request, persona):
        number = request.POST.get("version", "")
        version = services.persona_approve(
            persona=persona,
            actor=Actor.from_request(request),
            side=request.POST.get("side") or None,
            version_number=int(number) if number.isdigit() else None,
        )
        if version.status == PersonaStatus.APPROVED:
            return (f"Version {version.number} is approved by both sides; leads are being "
                    "re-scored.")  # fmt: skip
        return f"Approved version {version.number}; waiting for the other side."


class PersonaCommentView(PersonaActionView):
    def perform(self, request, persona):
        number = request.POST.get("version", "")
        services.persona_comment_add(
            persona=persona,
            actor=Actor.from_request(request),
            body=request.POST.get("body", ""),
            version_number=int(number) if number.isdigit() else None,
        )
        return "Comment added."


class PersonaCompareView(TenantPageMixin, TemplateView):
    """Two versions side by side: `?a=<number>&b=<number>` (default: the last two)."""

    template_name = "personas/compare.html"
    model = BuyerPersona

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        view = _persona(pk)
        by_number = {v.number: v for v in view.versions}

        def pick(name: str, default: int) -> int:
            value = self.request.GET.get(name, "")
            return int(value) if value.isdigit() and int(value) in by_number else default

        newest = view.current.number
        b = by_number[pick("b", newest)]
        a = by_number[pick("a", max((n for n in by_number if n < b.number), default=b.number))]
        context.update(persona=view, a=a, b=b, diff=selectors.version_diff(a, b),
                       numbers=sorted(by_number, reverse=True))  # fmt: skip
        return context


class ScoringSettingsPageView(TenantPageMixin, View):
    capability = "scoring.manage"

    def post(self, request):
        form = ScoringSettingsForm(request.POST)
        url = reverse("personas:list", args=[request.tenant.slug]) + "#scoring"
        if not form.is_valid():
            first = next(iter(form.errors.items()))
            messages.error(request, f"{form.fields[first[0]].label}: {first[1][0]}")
            return redirect(url)
        try:
            _, job = services.scoring_settings_update(
                tenant=request.tenant, actor=Actor.from_request(request),
                data=form.data_for_service(),
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, error.detail)
            return redirect(url)
        if job is None:
            messages.info(request, "Nothing changed.")
        else:
            messages.success(request, f"Saved: re-scoring {job.total} leads in the background.")
        return redirect(url)


class RescoreJobView(TenantPageMixin, TemplateView):
    """The progress of a re-score, as a fragment the list page polls while it runs."""

    template_name = "personas/_job.html"
    model = RescoreJob

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        context["job"] = get_object_or_404(RescoreJob.objects.all(), pk=pk)
        return context
