"""Alignment meeting endpoints: parse, call a service or selector, render."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from meetings import selectors, services
from meetings import serializers as s
from meetings.downloads import invite_response, minutes_response
from meetings.models import Meeting, MeetingSeries
from sla.diff import version_diff
from smarketing.api.viewsets import TenantViewSet
from smarketing.tenancy.actors import Actor

ITEM_ID = OpenApiParameter("item_id", int, OpenApiParameter.PATH)


class _DownloadRenderer(BaseRenderer):
    """Lets a client ask for the download's type. The view answers with its own response;
    what reaches this renderer is an error, rendered as problem+json."""

    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return JSONRenderer().render(data, accepted_media_type, renderer_context)


class CalendarRenderer(_DownloadRenderer):
    media_type, format = "text/calendar", "ics"


class MarkdownRenderer(_DownloadRenderer):
    media_type, format = "text/markdown", "md"


def _parsed(serializer_class, request, **kwargs) -> dict:
    body = serializer_class(data=request.data, **kwargs)
    body.is_valid(raise_exception=True)
    return body.validated_data


class MeetingViewSet(mixins.ListModelMixin, TenantViewSet):
    """Alignment meetings of marketing and sales: an agenda generated from the live numbers
    of a period, the decisions taken, and action items with an owner and a due date."""

    queryset = Meeting.all_tenants.none()  # names the model; rows come from get_queryset
    serializer_class = s.MeetingSerializer
    lookup_value_regex = r"\d+"
    capabilities = {
        **dict.fromkeys(
            ("create", "partial_update", "regenerate", "action_item_create",
             "action_item_update", "decision_create", "close"),
            "meetings.manage",
        ),
        # Drafting an SLA version is the SLA managers' (the service asks the same table).
        "propose_sla_change": "sla.manage",
    }  # fmt: skip

    # The downloads are routed without a trailing slash (api_urls.py), as files are named.
    download_renderers = {"invite": CalendarRenderer, "minutes": MarkdownRenderer}

    def get_queryset(self):
        return selectors.meeting_list()

    def get_renderers(self):
        download = self.download_renderers.get(getattr(self, "action", None))
        return [JSONRenderer(), download()] if download else super().get_renderers()

    def _render(self, meeting: Meeting, status: int = 200) -> Response:
        meeting = self.get_queryset().get(pk=meeting.pk)
        context = {
            "decisions": selectors.decisions(meeting=meeting).order_by("id"),
            "action_items": selectors.action_items(meeting=meeting).order_by("due_on", "id"),
        }
        return Response(s.MeetingDetailSerializer(meeting, context=context).data, status=status)

    @extend_schema(request=s.MeetingWriteSerializer, responses={201: s.MeetingDetailSerializer})
    def create(self, request):
        """Plan a meeting; without a period the numbers cover the 7 days before its day."""
        meeting = services.meeting_create(
            tenant=request.tenant,
            actor=Actor.from_request(request),
            data=_parsed(s.MeetingWriteSerializer, request),
        )
        return self._render(meeting, 201)

    @extend_schema(responses=s.MeetingDetailSerializer)
    def retrieve(self, request, pk=None):
        """The meeting with its decisions and action items."""
        return self._render(self.get_object())

    @extend_schema(request=s.MeetingPatchSerializer, responses=s.MeetingDetailSerializer)
    def partial_update(self, request, pk=None):
        """Edit; a new period drops the agenda (generated again when next read). The period
        of a held meeting does not change (409 `meeting_held`)."""
        meeting = services.meeting_update(
            meeting=self.get_object(),
            actor=Actor.from_request(request),
            data=_parsed(s.MeetingPatchSerializer, request, partial=True),
        )
        return self._render(meeting)

    def _agenda(self, meeting: Meeting, items) -> Response:
        meeting.refresh_from_db(fields=["agenda_generated_at"])
        data = {"meeting": meeting.pk, "period_start": meeting.period_start,
                "period_end": meeting.period_end, "generated_at": meeting.agenda_generated_at,
                "items": items}  # fmt: skip
        return Response(s.AgendaSerializer(data).data)

    @extend_schema(responses=s.AgendaSerializer)
    @action(detail=True, methods=["get"])
    def agenda(self, request, pk=None):
        """The agenda, generated from the live numbers the first time it is read."""
        meeting = self.get_object()
        return self._agenda(meeting, services.meeting_agenda_ensure(meeting=meeting))

    @extend_schema(request=None, responses=s.AgendaSerializer)
    @action(detail=True, methods=["post"], url_path="agenda/regenerate")
    def regenerate(self, request, pk=None):
        """Generate the agenda again from the numbers as they are now (replaces the previous
        one); 409 `meeting_held` once the meeting was held."""
        meeting = self.get_object()
        return self._agenda(meeting, services.meeting_agenda_generate(meeting=meeting))

    @extend_schema(responses=s.ActionItemSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="action-items")
    def action_items(self, request, pk=None):
        """The meeting's action items, newest first."""
        page = self.paginate_queryset(selectors.action_items(meeting=self.get_object()))
        return self.get_paginated_response(s.ActionItemSerializer(page, many=True).data)

    @extend_schema(request=s.ActionItemWriteSerializer, responses={201: s.ActionItemSerializer})
    @action_items.mapping.post
    def action_item_create(self, request, pk=None):
        """An action item for a member of the tenant, due on a day."""
        meeting = self.get_object()
        body = _parsed(s.ActionItemWriteSerializer, request)
        item = services.action_item_create(
            meeting=meeting, actor=Actor.from_request(request), title=body["title"],
            owner_email=body["owner"], due_on=body["due_on"],
        )  # fmt: skip
        return Response(s.ActionItemSerializer(item).data, status=201)

    @extend_schema(
        request=s.ActionItemPatchSerializer, responses=s.ActionItemSerializer, parameters=[ITEM_ID]
    )
    @action(detail=True, methods=["patch"], url_path=r"action-items/(?P<item_id>[0-9]+)")
    def action_item_update(self, request, pk=None, item_id=None):
        """Mark done (`{"status": "done"}`) or open again; rename, hand over, move the date."""
        meeting = self.get_object()
        item = selectors.action_items(meeting=meeting).filter(pk=item_id).first()
        if item is None:
            raise Http404("No such action item.")
        item.meeting = meeting
        item = services.action_item_update(
            item=item,
            actor=Actor.from_request(request),
            data=_parsed(s.ActionItemPatchSerializer, request, partial=True),
        )
        return Response(s.ActionItemSerializer(item).data)

    @extend_schema(responses=s.DecisionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def decisions(self, request, pk=None):
        """The decisions taken in the meeting, newest first."""
        page = self.paginate_queryset(selectors.decisions(meeting=self.get_object()))
        return self.get_paginated_response(s.DecisionSerializer(page, many=True).data)

    @extend_schema(request=s.DecisionWriteSerializer, responses={201: s.DecisionSerializer})
    @decisions.mapping.post
    def decision_create(self, request, pk=None):
        """Record a decision, by the caller."""
        meeting = self.get_object()
        decision = services.decision_record(
            meeting=meeting,
            actor=Actor.from_request(request),
            text=_parsed(s.DecisionWriteSerializer, request)["text"],
        )
        return Response(s.DecisionSerializer(decision).data, status=201)

    @extend_schema(
        operation_id="v1_meetings_invite_ics",
        responses={(200, "text/calendar"): OpenApiTypes.STR},
    )
    def invite(self, request, pk=None):
        """The meeting as an iCalendar file (METHOD:PUBLISH) with its attendees, for a
        calendar to import; the UID is the meeting's for life, SEQUENCE its latest change."""
        return invite_response(self.get_object())

    @extend_schema(
        operation_id="v1_meetings_minutes_md",
        responses={(200, "text/markdown"): OpenApiTypes.STR},
    )
    def minutes(self, request, pk=None):
        """The minutes as Markdown: frozen once the meeting is closed; before, written from
        the record as it stands and marked as a draft."""
        return minutes_response(self.get_object(), attachment=False)

    @extend_schema(request=None, responses=s.MeetingDetailSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the meeting: notes, decisions and action items are frozen into the minutes,
        which are e-mailed to the attendees. 409 `meeting_closed` the second time."""
        meeting = services.meeting_close(
            meeting=self.get_object(), actor=Actor.from_request(request)
        )
        return self._render(meeting)

    @extend_schema(request=None, responses={201: s.SlaProposalSerializer})
    @action(detail=True, methods=["post"], url_path="propose-sla-change")
    def propose_sla_change(self, request, pk=None):
        """On an SLA review: draft the next SLA version from the terms under review, linked
        to the meeting, with its differences from the version in force (none yet). Asked
        again, the same draft. 409 `not_a_review` on other meetings."""
        meeting = self.get_object()
        draft = services.meeting_sla_change_propose(
            meeting=meeting, actor=Actor.from_request(request)
        )
        base = meeting.sla_version or draft
        body = {"meeting": meeting.pk, "version": draft.pk, "number": draft.number,
                "name": draft.name, "status": draft.status,
                "changes": [d for d in version_diff(base, draft) if d.changed]}  # fmt: skip
        return Response(s.SlaProposalSerializer(body).data, status=201)


class MeetingSeriesViewSet(mixins.ListModelMixin, TenantViewSet):
    """Meeting series: a cadence on a weekday at a local time, with attendees. Meetings are
    created ahead of time with their agenda, and attendees invited; editing a series
    changes the meetings to come only."""

    queryset = MeetingSeries.all_tenants.none()  # names the model; rows come from get_queryset
    serializer_class = s.SeriesSerializer
    lookup_value_regex = r"\d+"
    capabilities = dict.fromkeys(("create", "partial_update"), "meetings.manage")

    def get_queryset(self):
        return selectors.series_list()

    def _render(self, series: MeetingSeries, status: int = 200) -> Response:
        series = self.get_queryset().get(pk=series.pk)
        return Response(s.SeriesSerializer(series).data, status=status)

    @extend_schema(request=s.SeriesWriteSerializer, responses={201: s.SeriesSerializer})
    def create(self, request):
        """A new series; its next meeting is planned at once (400 for a time the clocks skip
        within the year, an unknown timezone, attendees who are not members here)."""
        series = services.series_create(
            tenant=request.tenant, actor=Actor.from_request(request),
            data=_parsed(s.SeriesWriteSerializer, request),
        )  # fmt: skip
        return self._render(series, 201)

    def retrieve(self, request, pk=None):
        """The series with its attendees and next meeting."""
        return self._render(self.get_object())

    @extend_schema(request=s.SeriesPatchSerializer, responses=s.SeriesSerializer)
    def partial_update(self, request, pk=None):
        """Change the series: meetings to come move or are cancelled, held ones stay."""
        series = services.series_update(
            series=self.get_object(), actor=Actor.from_request(request),
            data=_parsed(s.SeriesPatchSerializer, request, partial=True),
        )  # fmt: skip
        return self._render(series)
