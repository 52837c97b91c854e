"""Forms of the lead pages: they parse input; the services decide what is allowed."""

from __future__ import annotations

from django import forms

from leads.models import Channel, RejectionReason, Stage
from leads.page_actions import BULK_TARGETS, touch_types

MAX_BULK_LEADS = 500


def first_error(form: forms.Form) -> str:
    """The first problem of a form, as a sentence for a page message."""
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        prefix = f"{label}: " if label and name != "__all__" else ""
        return f"{prefix}{errors[0]}"
    return "The form is not valid."


def reason_choices(reasons) -> list[tuple[str, str]]:
    return [(reason.code, reason.label) for reason in reasons]


class MoveForm(forms.Form):
    to = forms.ChoiceField(choices=Stage.choices, label="Stage")
    reason_code = forms.CharField(max_length=50, required=False, label="Reason")
    note = forms.CharField(max_length=2000, required=False, label="Note")
    amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, required=False, label="Amount"
    )


class RejectForm(forms.Form):
    reason_code = forms.ChoiceField(label="Reason")
    note = forms.CharField(max_length=2000, required=False, label="Note")

    def __init__(self, *args, reasons=None, **kwargs):
        super().__init__(*args, **kwargs)
        active = reasons if reasons is not None else RejectionReason.objects.filter(is_active=True)
        self.fields["reason_code"].choices = reason_choices(active)


class TouchForm(forms.Form):
    type = forms.ChoiceField(choices=touch_types, label="Kind of touch")
    note = forms.CharField(max_length=2000, required=False, label="Note")


class BulkMoveForm(forms.Form):
    action = forms.ChoiceField(choices=[(target, target) for target in BULK_TARGETS])
    lead = forms.TypedMultipleChoiceField(
        coerce=int, widget=forms.MultipleHiddenInput, label="Leads",
        error_messages={"required": "Select at least one lead."},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are checked against the tenant's rows by the view; here only their shape.
        submitted = self.data.getlist("lead") if hasattr(self.data, "getlist") else []
        self.fields["lead"].choices = [(v, v) for v in submitted if str(v).isdigit()]

    def clean_lead(self) -> list[int]:
        ids = self.cleaned_data["lead"]
        if len(ids) > MAX_BULK_LEADS:
            raise forms.ValidationError(f"Select at most {MAX_BULK_LEADS} leads at a time.")
        return list(dict.fromkeys(ids))


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.OTHER, label="Channel")
    cost = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0, initial=0, label="Cost")
    starts_on = forms.DateField(
        required=False, label="Starts on", widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(
        required=False, label="Ends on", widget=forms.DateInput(attrs={"type": "date"})
    )
    owner_id = forms.TypedChoiceField(
        required=False, label="Owner (told when sales rejects its leads)", coerce=int,
        empty_value=None,
    )  # fmt: skip

    def __init__(self, *args, owners: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "Nobody: every marketer"), *owners]

    def add_error(self, field, error):
        super().add_error(field, error)
        # Pico outlines fields marked invalid; errors come from here and from the service.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", "A campaign cannot end before it starts.")
        return cleaned
