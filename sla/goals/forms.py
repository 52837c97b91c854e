"""The goal form of the goals page: it parses; `goal_create` decides what is allowed."""

from __future__ import annotations

from django import forms

from sla.goals.metrics import GoalMetric, GoalOwner


class GoalForm(forms.Form):
    # A text field shown as a list: a period posted by hand that has ended, or that is no
    # period at all, gets the service's own words beside the field.
    period = forms.CharField(label="Period", widget=forms.Select)
    metric = forms.ChoiceField(choices=GoalMetric.choices, label="Metric")
    owner = forms.ChoiceField(choices=GoalOwner.choices, label="Owned by")
    target = forms.DecimalField(
        max_digits=16, decimal_places=3, label="Target",
        help_text="A count, an amount, or for the acceptance rate a share (0.6 for 60 %).",
    )  # fmt: skip

    def __init__(self, *args, periods: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.choices = periods
