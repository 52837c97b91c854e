"""POST /f/<key>/: JSON from allowed origins, HTML from the hosted page, and the guards."""

import json
import re

import pytest

from leads.models import CampaignTouch, Lead, LeadEvent, StageTransition
from leads.webforms import guard
from leads.webforms.models import LeadConsent
from smarketing.tenancy.actors import Actor
from smarketing.tenancy.scope import tenant_scope
from tests.capture.conftest import ORIGIN
from tests.leads.factories import CampaignFactory, LeadFactory, WebFormFactory

pytestmark = pytest.mark.django_db

GOOD = {"email": "Ada@Lovelace.example", "first_name": "Ada", "last_name": "Lovelace",
        "company": "Engines Ltd", "consent": True}  # fmt: skip


def post_json(client, form, body, origin=ORIGIN, **headers):
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    return client.post(f"/f/{form.key}/", json.dumps(body), content_type="application/json",
                       **extra, **headers)  # fmt: skip


def hosted_token(client, form) -> str:
    page = client.get(f"/f/{form.key}/").content.decode()
    return re.search(r'name="_ts" value="([^"]+)"', page).group(1)


def test_a_json_submission_creates_the_lead_with_event_campaign_and_consent(
    public, web_form, campaign, tenant
):
    CampaignFactory(tenant=tenant, name="Newsletter", slug="newsletter")
    body = {**GOOD, "page_url": "https://www.acme.example/contact?x=1",
            "utm_source": "mail", "utm_campaign": "newsletter"}  # fmt: skip
    response = post_json(public, web_form, body, REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "created"
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    lead = Lead.all_tenants.get(email="ada@lovelace.example")
    assert lead.tenant == tenant and lead.campaign == campaign
    event = LeadEvent.all_tenants.get(lead=lead)
    assert event.type == "form_submit"
    assert event.properties["page_url"] == "https://www.acme.example/contact?x=1"
    assert event.properties["utm"] == {"utm_source": "mail", "utm_campaign": "newsletter"}
    credited = set(CampaignTouch.all_tenants.filter(lead=lead).values_list("campaign__slug",
                                                                          "source"))  # fmt: skip
    assert credited == {("spring-webinar", "form"), ("newsletter", "utm")}
    consent = LeadConsent.all_tenants.get(lead=lead)
    assert (consent.text, consent.version, consent.ip_address) == (
        web_form.consent_text,
        1,
        "203.0.113.9",
    )


def test_a_second_submission_merges_into_the_same_lead_through_the_api_upsert(public, web_form):
    post_json(public, web_form, GOOD)
    again = post_json(public, web_form, {**GOOD, "company": "Analytical Engines"})
    assert again.status_code == 200 and again.json()["status"] == "merged"
    lead = Lead.all_tenants.get(email="ada@lovelace.example")
    assert lead.company == "Analytical Engines"
    # Recorded as every merge of an upsert is.
    assert StageTransition.all_tenants.filter(lead=lead, action="merge").exists()
    assert LeadEvent.all_tenants.filter(lead=lead, type="form_submit").count() == 2


def test_field_errors_are_answered_per_field(public, web_form):
    response = post_json(public, web_form, {"email": "not-an-address", "company": "x" * 300,
                                            "stage": "sql"})  # fmt: skip
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert set(errors) == {"email", "company", "stage", "first_name", "consent"}
    assert errors["first_name"] == ["This field is required."]
    assert not Lead.all_tenants.exists()


def test_without_consent_the_submission_is_refused(public, web_form):
    response = post_json(public, web_form, {**GOOD, "consent": False})
    assert response.status_code == 400 and "consent" in response.json()["errors"]
    assert not Lead.all_tenants.exists()


def test_a_form_without_consent_text_needs_no_consent(public, tenant):
    form = WebFormFactory(tenant=tenant, allowed_origins=[ORIGIN])
    response = post_json(public, form, {"email": "x@y.example"})
    assert response.status_code == 201
    assert not LeadConsent.all_tenants.exists()


def test_the_cors_preflight_is_answered_for_an_allowed_origin_only(public, web_form):
    ok = public.options(f"/f/{web_form.key}/", HTTP_ORIGIN=ORIGIN,
                        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")  # fmt: skip
    assert ok.status_code == 204
    assert ok["Access-Control-Allow-Origin"] == ORIGIN
    assert "POST" in ok["Access-Control-Allow-Methods"]
    assert "Content-Type" in ok["Access-Control-Allow-Headers"]
    other = public.options(f"/f/{web_form.key}/", HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 403 and "Access-Control-Allow-Origin" not in other


def test_json_from_another_origin_is_refused(public, web_form):
    response = post_json(public, web_form, GOOD, origin="https://evil.example")
    assert response.status_code == 403
    assert response.json()["code"] == "origin_not_allowed"
    assert not Lead.all_tenants.exists()


def test_a_filled_honeypot_is_refused(public, web_form):
    response = post_json(public, web_form, {**GOOD, guard.HONEYPOT_FIELD: "http://spam"})
    assert response.status_code == 400 and response.json()["code"] == "submission_refused"
    assert not Lead.all_tenants.exists()


def test_the_address_rate_limit_answers_429_with_retry_after(public, web_form, settings):
    settings.WEBFORM_RATES = {"address": "20/min", "form": "1000/min"}  # one each 3 s, 2 at once
    codes = [post_json(public, web_form, {**GOOD, "email": f"p{i}@x.example"},
                       REMOTE_ADDR="198.51.100.7").status_code for i in range(4)]  # fmt: skip
    assert codes == [201, 201, 429, 429]
    refused = post_json(public, web_form, GOOD, REMOTE_ADDR="198.51.100.7")
    assert refused["Retry-After"] in {"1", "2", "3"}
    assert refused.json()["code"] == "throttled"
    # Another address is not held back by the first one.
    assert post_json(public, web_form, GOOD, REMOTE_ADDR="198.51.100.8").status_code == 201


def test_the_form_rate_limit_holds_every_address_back(public, web_form, settings):
    settings.WEBFORM_RATES = {"address": "1000/min", "form": "10/min"}  # one burst of one
    first = post_json(public, web_form, GOOD, REMOTE_ADDR="198.51.100.1")
    second = post_json(public, web_form, GOOD, REMOTE_ADDR="198.51.100.2")
    assert (first.status_code, second.status_code) == (201, 429)


def test_a_body_over_the_size_limit_is_refused(public, web_form):
    body = {**GOOD, "page_url": "https://x.example/" + "a" * guard.MAX_BODY_BYTES}
    response = post_json(public, web_form, body)
    assert response.status_code == 413
    assert not Lead.all_tenants.exists()


def test_an_unknown_key_is_404(public):
    assert public.get("/f/nope/").status_code == 404
    assert post_json(public, type("F", (), {"key": "nope"}), GOOD).status_code == 404


def test_the_hosted_page_shows_the_tenants_name_and_the_consent(public, web_form):
    page = public.get(f"/f/{web_form.key}/?utm_campaign=spring-webinar")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Acme" in html and "Contact us" in html
    assert web_form.consent_text in html
    assert 'name="utm_campaign" value="spring-webinar"' in html
    assert "<script" not in html  # nothing inline for the Content-Security-Policy


def test_a_hosted_post_redirects_to_the_thank_you_page(public, web_form):
    token = hosted_token(public, web_form)
    response = public.post(f"/f/{web_form.key}/", {
        "email": "grace@hopper.example", "first_name": "Grace", "consent": "true", "_ts": token,
    })  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/f/{web_form.key}/thanks/"
    assert "Thanks, talk soon." in public.get(response["Location"]).content.decode()
    assert Lead.all_tenants.filter(email="grace@hopper.example").exists()


def test_a_hosted_post_goes_to_the_forms_thank_you_url(public, tenant):
    form = WebFormFactory(tenant=tenant, thank_you_url="https://www.acme.example/thanks")
    token = hosted_token(public, form)
    response = public.post(f"/f/{form.key}/", {"email": "a@b.example", "_ts": token})
    assert response.status_code == 302 and response["Location"] == "https://www.acme.example/thanks"


def test_a_hosted_post_with_errors_shows_each_message_beside_its_field(public, web_form):
    token = hosted_token(public, web_form)
    response = public.post(f"/f/{web_form.key}/", {"email": "bad", "first_name": "", "_ts": token})
    html = response.content.decode()
    assert response.status_code == 200  # a page for a person, with the messages on it
    assert 'id="e-email"' in html and 'id="e-first_name"' in html and 'id="e-consent"' in html
    assert 'value="bad"' in html  # what the person typed stays


def test_a_hosted_post_faster_than_the_minimum_fill_time_is_refused(public, web_form, settings):
    settings.WEBFORM_MIN_FILL_SECONDS = 30
    token = hosted_token(public, web_form)
    response = public.post(f"/f/{web_form.key}/", {**GOOD, "consent": "true", "_ts": token})
    assert "faster than a person" in response.content.decode()
    assert not Lead.all_tenants.exists()


def test_a_hosted_post_without_the_signed_timestamp_is_refused(public, web_form):
    response = public.post(f"/f/{web_form.key}/", {**GOOD, "consent": "true", "_ts": "forged"})
    assert "reload the page" in response.content.decode()
    assert not Lead.all_tenants.exists()


def test_the_fill_token_of_one_form_does_not_open_another(tenant):
    token = guard.fill_token("key-one")
    assert guard.fill_token_problem(token, form_key="key-two", now=10**10) is not None


def test_a_form_submission_lands_in_the_forms_tenant_only(public, web_form, other_tenant):
    LeadFactory(tenant=other_tenant, email="ada@lovelace.example", first_name="Other")
    post_json(public, web_form, GOOD)
    theirs = Lead.all_tenants.get(tenant=other_tenant, email="ada@lovelace.example")
    assert theirs.first_name == "Other"
    assert not LeadEvent.all_tenants.filter(lead=theirs).exists()
    assert Lead.all_tenants.get(tenant=web_form.tenant, email="ada@lovelace.example")


def test_erasing_the_lead_erases_the_address_of_its_consent(public, web_form, tenant):
    from leads.services import lead_erase

    post_json(public, web_form, GOOD, REMOTE_ADDR="203.0.113.9")
    with tenant_scope(tenant):
        lead = Lead.objects.get(email="ada@lovelace.example")
        lead_erase(lead=lead, actor=Actor.system())
        consent = LeadConsent.objects.get(lead=lead)
    assert consent.ip_address is None
    assert consent.text == web_form.consent_text  # the fact of consent stays


def test_the_hosted_page_may_be_framed_by_the_forms_own_sites_only(public, tenant):
    form = WebFormFactory(tenant=tenant, allowed_origins=[ORIGIN],
                          thank_you_url="https://thanks.acme.example/done")  # fmt: skip
    policy = public.get(f"/f/{form.key}/")["Content-Security-Policy"]
    assert f"frame-ancestors {ORIGIN}" in policy
    assert "form-action 'self' https://thanks.acme.example" in policy
    assert "script-src 'self'" in policy  # the rest of the policy stands
    unlisted = WebFormFactory(tenant=tenant)
    assert "frame-ancestors 'none'" in public.get(f"/f/{unlisted.key}/")["Content-Security-Policy"]


def test_behind_a_trusted_proxy_the_rate_limit_counts_the_reported_address(
    public, web_form, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.WEBFORM_RATES = {"address": "10/min", "form": "1000/min"}  # one at once
    first = post_json(public, web_form, GOOD, HTTP_X_FORWARDED_FOR="198.51.100.20")
    second = post_json(public, web_form, GOOD, HTTP_X_FORWARDED_FOR="198.51.100.21")
    again = post_json(public, web_form, GOOD, HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert (first.status_code, second.status_code, again.status_code) == (201, 200, 429)
