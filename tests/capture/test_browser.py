"""The hosted form in a real browser: robots are refused, a person becomes a lead."""

import pytest
from playwright.sync_api import expect

from leads.models import CampaignTouch, Lead, LeadEvent
from leads.webforms.models import LeadConsent
from smarketing.tenancy.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth"


def _watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def _fill_as_a_person(page):
    page.get_by_label("E-mail").fill("grace@hopper.example")
    page.get_by_label("First name").fill("Grace")
    page.get_by_label("Last name").fill("Hopper")
    page.get_by_label("Company").fill("Navy Labs")


def test_the_hosted_form_refuses_robots_and_turns_a_person_into_a_lead(
    page, web_form, campaign, settings
):
    errors = _watch_console(page)
    # A robot that sends the page at once: faster than any person fills it.
    settings.WEBFORM_MIN_FILL_SECONDS = 30
    page.goto(f"/f/{web_form.key}/?utm_campaign=spring-webinar")
    expect(page.get_by_text("Acme", exact=True)).to_be_visible()
    _fill_as_a_person(page)
    page.get_by_label(web_form.consent_text).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("faster than a person")
    # A robot that fills every input, the hidden honeypot too.
    settings.WEBFORM_MIN_FILL_SECONDS = 0
    page.goto(f"/f/{web_form.key}/")
    _fill_as_a_person(page)
    page.locator("input[name=website]").fill("http://cheap-pills.example")
    page.get_by_label(web_form.consent_text).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text("looks automated")
    assert not Lead.all_tenants.exists()

    # A person, who forgets the consent first and is told so beside the box.
    page.goto(f"/f/{web_form.key}/?utm_campaign=spring-webinar")
    _fill_as_a_person(page)
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#e-consent")).to_contain_text("agree")
    expect(page.get_by_label("E-mail")).to_have_value("grace@hopper.example")
    page.get_by_label(web_form.consent_text).check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Thanks, talk soon.")

    lead = Lead.all_tenants.get(email="grace@hopper.example")
    assert lead.campaign == campaign and lead.company == "Navy Labs"
    consent = LeadConsent.all_tenants.get(lead=lead)
    assert consent.version == 1 and consent.ip_address == "127.0.0.1"
    assert CampaignTouch.all_tenants.filter(lead=lead, campaign=campaign).exists()
    event = LeadEvent.all_tenants.get(lead=lead, type="form_submit")
    assert event.properties["utm"] == {"utm_campaign": "spring-webinar"}
    assert errors == []


@pytest.mark.parametrize("width", [1366, 390])
def test_a_marketer_copies_the_embed_snippet_on_any_screen(
    chromium, live_server, tenant, member, web_form, width
):
    context = chromium.new_context(base_url=live_server.url,
                                   viewport={"width": width, "height": 900})  # fmt: skip
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = context.new_page()
    errors = _watch_console(page)
    try:
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(member(tenant, Role.MARKETER).email)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/t/{tenant.slug}/forms/")
        page.get_by_role("link", name="Contact us").click()
        expect(page.get_by_label("Paste this into a page of your site")).to_have_value(
            f'<iframe src="{live_server.url}/f/{web_form.key}/" title="Contact us" width="100%" '
            'height="640" style="border:0" loading="lazy"></iframe>'
        )
        page.get_by_role("button", name="Copy snippet").click()
        expect(page.get_by_text("Copied.")).to_be_visible()
        copied = page.evaluate("navigator.clipboard.readText()")
        assert f"/f/{web_form.key}/" in copied
        assert page.evaluate(OVERFLOW) is False
        page.goto(f"/f/{web_form.key}/")
        assert page.evaluate(OVERFLOW) is False
        assert errors == []
    finally:
        context.close()


@pytest.mark.parametrize("width", [1366, 390])
def test_a_marketer_finds_two_duplicates_merges_them_and_undoes_it(
    chromium, live_server, tenant, member, width
):
    from tests.leads.factories import LeadFactory

    first = LeadFactory(tenant=tenant, email="ada.lovelace@gmail.com", first_name="Ada",
                        last_name="Lovelace", company="")  # fmt: skip
    second = LeadFactory(tenant=tenant, email="adalovelace+news@gmail.com", first_name="Augusta",
                         last_name="Lovelace", company="Engines Ltd")  # fmt: skip
    from leads.duplicates.services import match_keys_refresh
    from smarketing.tenancy.scope import tenant_scope

    with tenant_scope(tenant):
        match_keys_refresh(lead_ids=[first.pk, second.pk])
    context = chromium.new_context(base_url=live_server.url,
                                   viewport={"width": width, "height": 900})  # fmt: skip
    page = context.new_page()
    errors = _watch_console(page)
    try:
        page.goto("/accounts/login/")
        page.get_by_label("E-mail").fill(member(tenant, Role.MARKETER).email)
        page.get_by_label("Password").fill("correct-horse-battery")
        page.get_by_role("button", name="Log in").click()
        page.goto(f"/t/{tenant.slug}/leads/")
        page.get_by_role("button", name="Duplicates").click()
        expect(page.get_by_role("heading", name="Duplicates")).to_be_visible()
        assert page.evaluate(OVERFLOW) is False
        page.goto(f"/t/{tenant.slug}/leads/{first.pk}/")
        expect(page.get_by_role("heading", name="Possible duplicates")).to_be_visible()
        page.get_by_role("link", name="Compare and merge").click()
        page.get_by_role("radio", name="Augusta").check()
        assert page.evaluate(OVERFLOW) is False
        page.get_by_role("button", name="Merge leads").click()
        expect(page.get_by_role("heading", name="Augusta Lovelace")).to_be_visible()
        expect(page.get_by_role("status").first).to_contain_text(f"Lead {second.pk} merged")
        page.goto(f"/t/{tenant.slug}/leads/{second.pk}/")  # the tombstone's page
        expect(page).to_have_url(f"{live_server.url}/t/{tenant.slug}/leads/{first.pk}/")
        page.get_by_role("button", name="Undo merge").click()
        expect(page.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
        assert errors == []
    finally:
        context.close()
    assert Lead.all_tenants.get(pk=second.pk).merged_into_id is None
    assert Lead.all_tenants.get(pk=second.pk).first_name == "Augusta"
