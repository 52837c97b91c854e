"""Forms of the webhook settings pages: they parse input; the services decide what is allowed."""

from django import forms

from smarketing.events import PUBLIC_EVENT_TYPES

EVENT_CHOICES = [(event_type, event_type) for event_type in PUBLIC_EVENT_TYPES]


class EndpointForm(forms.Form):
    url = forms.CharField(
        max_length=500,
        label="URL",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/smarketing"}),
    )
    events = forms.MultipleChoiceField(
        choices=EVENT_CHOICES, widget=forms.CheckboxSelectMultiple, label="Events"
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
