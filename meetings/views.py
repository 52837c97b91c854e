"""Meeting pages: the list with a "New meeting" form, and one meeting with its generated
agenda, decisions and action items. Thin: forms in, services and selectors, templates out."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from meetings import selectors, services
from meetings.errors import InvalidMeetingData
from meetings.forms import (
    ActionItemForm,
    ActionItemStatusForm,
    DecisionForm,
    MeetingForm,
    NotesForm,
)
from meetings.models import Meeting, MeetingKind, MeetingStatus
from meetings.services.reviews import may_propose
from sla.diff import version_diff
from smarketing.errors import DomainError
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.selectors import members_of
from smarketing.tenancy.views import TenantPageMixin

PAGE_SIZE = 50


class LocalTimeMixin:
    """Times on these pages are the tenant's local time, read and shown: "at 10" means 10
    where the teams sit. Goes after `TenantPageMixin`, which resolves the tenant."""

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(ZoneInfo(request.tenant.timezone or "UTC")):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response.render()
            return response


def _members(request) -> list:
    return list(members_of(tenant=request.tenant))


def _first_error(form: forms.Form) -> str:
    for name, errors in form.errors.items():
        field = form.fields.get(name)
        return f"{field.label}: {errors[0]}" if field and field.label else errors[0]
    return "The form is not valid."


def _detail(request, meeting_id: int):
    return redirect("meetings:detail", tenant_slug=request.tenant.slug, pk=meeting_id)


class MeetingListView(TenantPageMixin, LocalTimeMixin, TemplateView):
    template_name = "meetings/list.html"
    post_capability = "meetings.manage"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = selectors.meeting_list().order_by("-scheduled_at", "-id")
        context.update(
            page_obj=Paginator(meetings, PAGE_SIZE).get_page(self.request.GET.get("page")),
            can_manage=has_capability(self.request.role, "meetings.manage"),
            timezone_name=self.request.tenant.timezone,
        )
        context.setdefault("form", MeetingForm(members=_members(self.request)))
        return context

    def post(self, request):
        form = MeetingForm(request.POST, members=_members(request))
        if form.is_valid():
            try:
                meeting = services.meeting_create(
                    tenant=request.tenant, actor=Actor.from_request(request),
                    data=form.data_for_service(),
                )  # fmt: skip
            except InvalidMeetingData as error:
                for name, problems in error.errors.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                messages.success(request, f"Meeting “{meeting.title}” planned.")
                return _detail(request, meeting.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MeetingDetailView(TenantPageMixin, LocalTimeMixin, TemplateView):
    template_name = "meetings/detail.html"
    model = Meeting

    def get_context_data(self, pk: int, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = get_object_or_404(selectors.meeting_list(), pk=pk)
        members = _members(self.request)
        agenda = services.meeting_agenda_ensure(meeting=meeting)
        meeting.refresh_from_db(fields=["agenda_generated_at"])
        proposed = meeting.proposed_sla_version
        under_review = meeting.sla_version
        context.update(
            is_review=meeting.kind == MeetingKind.SLA_REVIEW,
            can_propose=may_propose(self.request.role) and meeting.status != MeetingStatus.CLOSED,
            proposed=proposed,
            proposal_diff=[d for d in version_diff(under_review, proposed) if d.changed]
            if proposed and under_review
            else [],
            notes_form=NotesForm(initial={"notes": meeting.notes}),
            is_closed=meeting.status == MeetingStatus.CLOSED,
            meeting=meeting,
            agenda=agenda,
            decisions=list(selectors.decisions(meeting=meeting).order_by("id")),
            action_items=list(selectors.action_items(meeting=meeting).order_by("due_on", "id")),
            today=timezone.localdate(),
            period_days=(meeting.period_end - meeting.period_start).days + 1,
            can_manage=has_capability(self.request.role, "meetings.manage"),
            decision_form=DecisionForm(),
            action_item_form=ActionItemForm(members=members),
        )
        return context


class MeetingActionView(TenantPageMixin, View):
    """A POST on a meeting that calls one service and returns to the meeting's page."""

    model = Meeting
    post_capability = "meetings.manage"

    def perform(self, request, meeting: Meeting, **kwargs) -> str:
        raise NotImplementedError

    def post(self, request, pk: int, **kwargs):
        meeting = get_object_or_404(Meeting.objects.select_related("tenant"), pk=pk)
        try:
            messages.success(request, self.perform(request, meeting, **kwargs))
        except DomainError as error:
            messages.error(request, error.detail)
        return _detail(request, meeting.pk)


class RegenerateAgendaView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        services.meeting_agenda_generate(meeting=meeting)
        return "Agenda regenerated from the numbers as they are now."


class MeetingStatusView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        status = request.POST.get("status")
        if status not in (MeetingStatus.PLANNED, MeetingStatus.HELD):
            raise InvalidMeetingData({"status": ["Planned or held."]})
        services.meeting_update(meeting=meeting, actor=Actor.from_request(request),
                                data={"status": status})  # fmt: skip
        return "Marked as held." if status == MeetingStatus.HELD else "Marked as planned."


class DecisionCreateView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise InvalidMeetingData({"text": [_first_error(form)]})
        services.decision_record(meeting=meeting, actor=Actor.from_request(request),
                                 text=form.cleaned_data["text"])  # fmt: skip
        return "Decision recorded."


class ActionItemCreateView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        form = ActionItemForm(request.POST, members=_members(request))
        if not form.is_valid():
            raise InvalidMeetingData({"action_item": [_first_error(form)]})
        item = services.action_item_create(
            meeting=meeting, actor=Actor.from_request(request), title=form.cleaned_data["title"],
            owner_email=form.cleaned_data["owner"], due_on=form.cleaned_data["due_on"],
        )  # fmt: skip
        return f"Action item added for {item.owner.email}."


class ActionItemStatusView(MeetingActionView):
    def perform(self, request, meeting, item_id: int, **kwargs):
        item = get_object_or_404(selectors.action_items(meeting=meeting), pk=item_id)
        item.meeting = meeting
        form = ActionItemStatusForm(request.POST)
        if not form.is_valid():
            raise InvalidMeetingData({"status": [_first_error(form)]})
        item = services.action_item_update(
            item=item, actor=Actor.from_request(request), data=dict(form.cleaned_data)
        )
        return f"“{item.title}” is {item.get_status_display().lower()}."


class MeetingNotesView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        form = NotesForm(request.POST)
        if not form.is_valid():
            raise InvalidMeetingData({"notes": [_first_error(form)]})
        services.meeting_update(meeting=meeting, actor=Actor.from_request(request),
                                data={"notes": form.cleaned_data["notes"]})  # fmt: skip
        return "Notes saved."


class MeetingCloseView(MeetingActionView):
    def perform(self, request, meeting, **kwargs):
        services.meeting_close(meeting=meeting, actor=Actor.from_request(request))
        return "Meeting closed: the minutes are final and on their way to the attendees."


class ProposeSlaChangeView(MeetingActionView):
    post_capability = "sla.manage"

    def perform(self, request, meeting, **kwargs):
        draft = services.meeting_sla_change_propose(
            meeting=meeting, actor=Actor.from_request(request)
        )
        return (f"Draft SLA version {draft.number} proposed: edit its terms, then both teams "
                "sign it.")  # fmt: skip
