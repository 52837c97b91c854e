"""The form editor's page form: it parses; `services.webform_*` decides what is valid."""

from __future__ import annotations

from typing import Any

from django import forms

from leads.models import Campaign
from leads.webforms.models import FORM_FIELDS, WebForm
from leads.webforms.presenters import LABELS

FIELD_CHOICES = [(name, LABELS[name][0]) for name in FORM_FIELDS]


class WebFormEditForm(forms.Form):
    name = forms.CharField(max_length=200, label="Name")
    fields = forms.MultipleChoiceField(
        choices=FIELD_CHOICES, widget=forms.CheckboxSelectMultiple, label="Fields it asks",
        required=False, help_text="E-mail is always asked.",
    )  # fmt: skip
    required = forms.MultipleChoiceField(
        choices=FIELD_CHOICES, widget=forms.CheckboxSelectMultiple, label="Required fields",
        required=False,
    )  # fmt: skip
    campaign = forms.ModelChoiceField(
        queryset=Campaign.all_tenants.none(), required=False, label="Campaign it credits"
    )
    consent_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Consent text",
        help_text="When set, people must tick it to send the form.",
    )  # fmt: skip
    thank_you_message = forms.CharField(max_length=500, required=False, label="Thank-you message")
    thank_you_url = forms.CharField(
        max_length=500, required=False, label="Thank-you page (address to redirect to)"
    )
    allowed_origins = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Allowed origins",
        help_text="Sites that may embed the form or send it as JSON, one per line, "
        "e.g. https://www.example.com",
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("name")

    @classmethod
    def initial_for(cls, form: WebForm) -> dict[str, Any]:
        return {"name": form.name, "fields": form.fields, "required": form.required,
                "campaign": form.campaign_id, "consent_text": form.consent_text,
                "thank_you_message": form.thank_you_message, "thank_you_url": form.thank_you_url,
                "allowed_origins": "\n".join(form.allowed_origins)}  # fmt: skip

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["campaign"] = data["campaign"].pk if data["campaign"] else None
        data["allowed_origins"] = [o.strip() for o in data["allowed_origins"].splitlines()
                                   if o.strip()]  # fmt: skip
        return data
