"""Forms of the meeting pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from meetings.models import ActionItemStatus


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
