"""POST endpoints behind the lead page's buttons: parse, call one service, say what happened.

A refusal of a service (a `DomainError`: wrong role, illegal move, lost race, someone accepted
first) becomes a message on the lead page; the page is then shown as it is now.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.views import View

from leads import services
from leads.forms import MoveForm, RejectForm, TouchForm, first_error
from leads.models import EventType, Lead, Stage
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.views import TenantPageMixin

MOVE_DONE = {
    Stage.MQL: "Flagged as MQL.",
    Stage.SQL: "Handed off to sales: the lead waits in the sales queue.",
    Stage.LEAD: "Unflagged: the lead is back in marketing's nurture.",
    Stage.OPPORTUNITY: "Moved to opportunity.",
    Stage.WON: "Marked as won.",
    Stage.LOST: "Marked as lost.",
    Stage.DISQUALIFIED: "Disqualified.",
}
TOUCH_DONE = {
    EventType.CALL: "Call logged.",
    EventType.EMAIL: "E-mail logged.",
    EventType.MEETING: "Meeting logged.",
}


def explain(error: DomainError) -> str:
    """The service's refusal in words; field errors without the field's code name."""
    errors = getattr(error, "errors", None)
    if isinstance(errors, dict) and errors:
        return " ".join(message for messages_ in errors.values() for message in messages_)
    return error.detail


class LeadActionView(TenantPageMixin, View):
    """One button: the lead is looked up in the tenant (another tenant's id is 404)."""

    model = Lead
    post_capability = "leads.edit"
    form_class: type[forms.Form]

    def get_form(self) -> forms.Form:
        return self.form_class(self.request.POST)

    def perform(self, *, lead: Lead, data: dict, actor: Actor) -> str:
        """Call the service; return what to tell the user. Each button's view defines it."""
        raise NotImplementedError

    def page_object_queryset(self):
        return Lead.objects.select_related("owner")

    def post(self, request, pk: int):
        lead = self.page_object
        form = self.get_form()
        if not form.is_valid():
            messages.error(request, first_error(form))
        else:
            try:
                done = self.perform(
                    lead=lead, data=form.cleaned_data, actor=Actor.from_request(request)
                )
            except DomainError as error:
                messages.error(request, explain(error))
            else:
                messages.success(request, done)
        return redirect("leads:detail", tenant_slug=request.tenant.slug, pk=lead.pk)


class LeadMoveView(LeadActionView):
    form_class = MoveForm

    def perform(self, *, lead, data, actor):
        services.lead_transition(
            lead=lead, to=data["to"], actor=actor, reason_code=data["reason_code"] or None,
            note=data["note"], amount=data["amount"],
        )  # fmt: skip
        return MOVE_DONE.get(data["to"], f"Moved to {Stage(data['to']).label}.")


class LeadAcceptView(LeadActionView):
    form_class = forms.Form

    def perform(self, *, lead, data, actor):
        services.lead_accept(lead=lead, actor=actor)
        return "Accepted: you own this lead now."


class LeadRejectView(LeadActionView):
    form_class = RejectForm

    def perform(self, *, lead, data, actor):
        services.lead_reject(
            lead=lead, actor=actor, reason_code=data["reason_code"], note=data["note"]
        )
        return "Rejected: the lead went back to marketing with your reason."


class LeadTouchView(LeadActionView):
    form_class = TouchForm

    def perform(self, *, lead, data, actor):
        services.lead_touch_log(lead=lead, actor=actor, type=data["type"], note=data["note"])
        return TOUCH_DONE[data["type"]]
