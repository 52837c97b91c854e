"""Forms of the meeting pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from zoneinfo import available_timezones

from django import forms

from meetings.models import ActionItemStatus, Cadence


def _member_choices(members) -> list[tuple[str, str]]:
    return [(m.user.email, m.user.email) for m in members]


class MeetingForm(forms.Form):
    title = forms.CharField(max_length=200, initial="Weekly marketing & sales alignment")
    scheduled_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    period_start = forms.DateField(
        label="Numbers from", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Empty: the 7 days before the meeting.",
    )  # fmt: skip
    period_end = forms.DateField(
        label="Numbers to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    attendees = forms.MultipleChoiceField(
        required=False, label="Attendees", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = _member_choices(members)

    def data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("period_start", "period_end"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class DecisionForm(forms.Form):
    text = forms.CharField(
        max_length=5000, label="Decision", widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(max_length=300, label="Action item")
    owner = forms.ChoiceField(label="Owner")
    due_on = forms.DateField(label="Due on", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _member_choices(members)


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItemStatus.choices)


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]  # fmt: skip


def _zones() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(available_timezones()) if "/" in name or name == "UTC"]


class SeriesForm(forms.Form):
    name = forms.CharField(max_length=200, initial="Monthly smarketing alignment")
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.WEEKLY)
    weekday = forms.TypedChoiceField(choices=WEEKDAYS, coerce=int, label="Weekday")
    time = forms.TimeField(
        label="Time", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    # No bounds here: the service's message says what is wrong with a duration.
    duration_minutes = forms.IntegerField(label="Duration (minutes)", initial=45)
    timezone = forms.ChoiceField(label="Timezone")
    attendees = forms.MultipleChoiceField(
        required=False, label="Attendees", widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), default_timezone="UTC", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].choices = _member_choices(members)
        self.fields["timezone"].choices = _zones()
        self.fields["timezone"].initial = default_timezone

    def data_for_service(self) -> dict:
        return dict(self.cleaned_data)


class NotesForm(forms.Form):
    notes = forms.CharField(
        max_length=20000, required=False, label="Notes", widget=forms.Textarea(attrs={"rows": 5})
    )


class SeriesEditForm(SeriesForm):
    active = forms.BooleanField(
        required=False, label="Meets (untick to stop the series and cancel its meetings to come)"
    )
