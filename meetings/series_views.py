"""Series pages: the list with a "New series" form, and a series' edit page. Thin: forms in,
services and selectors, templates out."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.views.generic import TemplateView

from meetings import selectors, services
from meetings.errors import InvalidMeetingData
from meetings.forms import WEEKDAYS, SeriesEditForm, SeriesForm
from meetings.models import MeetingSeries
from meetings.views import LocalTimeMixin, _members
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.roles import has_capability
from smarketing.tenancy.views import TenantPageMixin


def _form_errors(form: SeriesForm, error: InvalidMeetingData) -> None:
    for name, problems in error.errors.items():
        form.add_error(name if name in form.fields else None, problems)


class SeriesListView(TenantPageMixin, LocalTimeMixin, TemplateView):
    template_name = "meetings/series_list.html"
    post_capability = "meetings.manage"

    def _form(self, data=None) -> SeriesForm:
        return SeriesForm(data, members=_members(self.request),
                          default_timezone=self.request.tenant.timezone or "UTC")  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            series_list=list(selectors.series_list()),
            weekdays=dict(WEEKDAYS),
            can_manage=has_capability(self.request.role, "meetings.manage"),
        )
        context.setdefault("form", self._form())
        return context

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                series = services.series_create(
                    tenant=request.tenant, actor=Actor.from_request(request),
                    data=form.data_for_service(),
                )  # fmt: skip
            except InvalidMeetingData as error:
                _form_errors(form, error)
            else:
                messages.success(request, f"Series “{series.name}” created; its next meeting "
                                          "is planned and its attendees invited.")  # fmt: skip
                return redirect("meetings:series", tenant_slug=request.tenant.slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SeriesEditView(TenantPageMixin, LocalTimeMixin, TemplateView):
    template_name = "meetings/series_edit.html"
    model = MeetingSeries
    post_capability = "meetings.manage"

    def _form(self, data=None) -> SeriesForm:
        series = self.page_object
        initial = {
            "name": series.name, "cadence": series.cadence, "weekday": series.weekday,
            "time": series.time, "duration_minutes": series.duration_minutes,
            "timezone": series.timezone,
            "attendees": list(series.attendance.values_list("user__email", flat=True)),
            "active": series.active,
        }  # fmt: skip
        return SeriesEditForm(data, initial=initial, members=_members(self.request),
                              default_timezone=series.timezone)  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        series = selectors.series_list().get(pk=self.page_object.pk)
        context.update(
            series=series,
            meetings=list(series.meetings.order_by("-scheduled_at")[:12]),
            can_manage=has_capability(self.request.role, "meetings.manage"),
        )
        context.setdefault("form", self._form())
        return context

    def post(self, request, pk: int):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                services.series_update(
                    series=self.page_object, actor=Actor.from_request(request),
                    data=form.data_for_service(),
                )  # fmt: skip
            except InvalidMeetingData as error:
                _form_errors(form, error)
            else:
                messages.success(request, "Series saved; the meetings to come follow it.")
                return redirect("meetings:series-edit", tenant_slug=request.tenant.slug, pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)
