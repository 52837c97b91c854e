"""Managers' routing settings page (/t/<slug>/queue/routing/): mode, capacity, teams, rules."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import TemplateView

from leads.forms import first_error
from leads.routing import selectors
from leads.routing.models import RoutingMode, RoutingRule, RuleField, Team
from leads.routing.services import (
    routing_rule_add,
    routing_rule_delete,
    routing_settings_set,
    team_delete,
    team_save,
)
from leads.views.actions import explain
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.models import Membership
from smarketing.tenancy.roles import Role
from smarketing.tenancy.views import TenantPageMixin


class SettingsForm(forms.Form):
    mode = forms.ChoiceField(choices=RoutingMode.choices, label="Mode")
    default_capacity = forms.IntegerField(min_value=1, max_value=1000, label="Capacity per rep")


class TeamForm(forms.Form):
    name = forms.CharField(max_length=100, label="Team name")
    members = forms.MultipleChoiceField(label="Members", required=False)

    def __init__(self, *args, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].choices = [(email, email) for email in reps]


class RuleForm(forms.Form):
    field = forms.ChoiceField(choices=RuleField.choices, label="When")
    values = forms.CharField(max_length=500, label="is one of (comma separated)")
    target = forms.CharField(max_length=120, label="Send to")


def sales_emails() -> list[str]:
    return list(
        Membership.objects.filter(role=Role.SALES_REP)
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


class RoutingPageView(TenantPageMixin, TemplateView):
    template_name = "leads/routing.html"
    capability = "routing.manage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        settings = selectors.routing_settings()
        reps = selectors.available_reps()
        away = Membership.objects.filter(role=Role.SALES_REP, is_away=True).select_related("user")
        context.update(
            settings=settings, modes=RoutingMode.choices, fields=RuleField.choices,
            teams=selectors.teams_with_members(), rules=list(selectors.routing_rules()),
            reps=sorted(reps.values(), key=lambda rep: rep.email),
            away=[m.user.email for m in away], rep_emails=sales_emails(),
        )  # fmt: skip
        return context

    def post(self, request):
        form = SettingsForm(request.POST)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return back(request)
        current = selectors.routing_settings()
        try:
            routing_settings_set(
                tenant=request.tenant, actor=Actor.from_request(request),
                mode=form.cleaned_data["mode"],
                default_capacity=form.cleaned_data["default_capacity"],
                capacities=_capacities_by_email(current.capacities),
            )  # fmt: skip
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            messages.success(request, "Routing saved.")
        return back(request)


def _capacities_by_email(capacities: dict) -> dict[str, int]:
    emails = dict(
        Membership.objects.filter(user_id__in=[int(uid) for uid in capacities or {}]).values_list(
            "user_id", "user__email"
        )
    )
    return {emails[int(uid)]: n for uid, n in (capacities or {}).items() if int(uid) in emails}


def back(request):
    return redirect("queue:routing", tenant_slug=request.tenant.slug)


class _ManagerAction(TenantPageMixin, View):
    capability = "routing.manage"

    def run(self, request, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, **kwargs):
        try:
            done = self.run(request, **kwargs)
        except DomainError as error:
            messages.error(request, explain(error))
        else:
            if done:
                messages.success(request, done)
        return back(request)


class TeamSaveView(_ManagerAction):
    def run(self, request, **kwargs) -> str:
        form = TeamForm(request.POST, reps=sales_emails())
        if not form.is_valid():
            messages.error(request, first_error(form))
            return ""
        team = team_save(tenant=request.tenant, actor=Actor.from_request(request),
                         name=form.cleaned_data["name"],
                         members=form.cleaned_data["members"])  # fmt: skip
        return f"Team {team.name} saved."


class TeamDeleteView(_ManagerAction):
    model = Team

    def run(self, request, pk: int) -> str:
        team = self.page_object
        team_delete(actor=Actor.from_request(request), team=team)
        return f"Team {team.name} removed, with its rules."


class RuleAddView(_ManagerAction):
    def run(self, request, **kwargs) -> str:
        form = RuleForm(request.POST)
        if not form.is_valid():
            messages.error(request, first_error(form))
            return ""
        kind, _, ref = form.cleaned_data["target"].partition(":")
        team = None
        rep_email = None
        if kind == "team" and ref.isdigit():
            team = get_object_or_404(Team.objects.all(), pk=int(ref))
        elif kind == "rep":
            rep_email = ref
        routing_rule_add(
            tenant=request.tenant, actor=Actor.from_request(request),
            field=form.cleaned_data["field"], values=form.cleaned_data["values"], team=team,
            rep_email=rep_email,
        )  # fmt: skip
        return "Rule added."


class RuleDeleteView(_ManagerAction):
    model = RoutingRule

    def run(self, request, pk: int) -> str:
        rule = self.page_object
        routing_rule_delete(actor=Actor.from_request(request), rule=rule)
        return "Rule removed."
