"""The persona pages: list, create/edit with criteria rows, approve, compare, comment,
scoring settings and re-score progress."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from personas.models import (
    BuyerPersona,
    PersonaApproval,
    PersonaComment,
    PersonaVersion,
    RescoreJob,
    ScoringSettings,
)
from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory
from tests.personas.factories import BuyerPersonaFactory, RescoreJobFactory
from tests.personas.helpers import approved_persona

pytestmark = pytest.mark.django_db


@pytest.fixture
def page_for(tenant, member):
    """page_for(role) -> a logged-in browser-less client of a new member with that role."""

    def make(role):
        client = Client()
        client.force_login(member(tenant, role))
        return client

    return make


def url(tenant, *parts) -> str:
    return "/".join([f"/t/{tenant.slug}/personas", *map(str, parts)]) + "/"


def text(response) -> str:
    return response.content.decode()


def buttons(response) -> list[str]:
    return [b.strip() for b in re.findall(r"<button[^>]*>([^<]+)</button>", text(response))]


def form_data(**criteria_rows) -> dict:
    """A filled persona form; rows are (field, operator, value, weight)."""
    rows = list(criteria_rows.get("rows", []))
    data = {
        "name": "Ops lead",
        "summary": "Runs a plant.",
        "pains": "Downtime\nScrap",
        "goals": "",
        "objections": "",
        "preferred_channels": "Webinar",
        "typical_titles": "COO\nHead of Operations",
        "criteria-TOTAL_FORMS": str(len(rows) + 1),
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "30",
    }
    for index, row in enumerate([*rows, ("", "equals", "", "")]):
        for name, value in zip(("field", "operator", "value", "weight"), row, strict=True):
            data[f"criteria-{index}-{name}"] = value
    return data


def test_the_list_shows_personas_with_status_and_performance(tenant, page_for):
    persona = approved_persona(tenant, name="Ops in manufacturing")
    LeadFactory(tenant=tenant, persona_id=persona.pk)
    BuyerPersonaFactory(tenant=tenant, version__name="Finance buyer")
    response = page_for(Role.SALES_REP).get(url(tenant))
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Personas</h1>" in body
    assert "Ops in manufacturing" in body and "Finance buyer" in body
    assert "persona-approved" in body and "persona-draft" in body
    assert re.search(r'<td class="num">1</td>', body)  # the approved persona's lead
    assert f'href="/t/{tenant.slug}/personas/"' in body  # in the navigation


def test_the_list_page_costs_the_same_queries_for_any_number_of_personas(tenant, page_for):
    client = page_for(Role.MARKETER)
    BuyerPersonaFactory(tenant=tenant)
    client.get(url(tenant))
    with CaptureQueriesContext(connection) as few:
        client.get(url(tenant))
    for _ in range(4):
        approved_persona(tenant)
    with CaptureQueriesContext(connection) as many:
        client.get(url(tenant))
    assert len(many) == len(few)


def test_a_marketer_drafts_a_persona_with_criteria_rows(tenant, page_for):
    client = page_for(Role.MARKETER)
    rows = [
        ("industry", "in", "Manufacturing, Logistics", "40"),
        ("company_size", "range", "50, ", "30"),
        ("title", "contains_any", "coo, operations", "20"),
        ("custom.plan", "equals", "true", "10"),
    ]
    response = client.post(url(tenant, "new"), form_data(rows=rows))
    persona = BuyerPersona.all_tenants.get()
    assert response.status_code == 302
    assert response["Location"] == url(tenant, persona.pk)
    version = PersonaVersion.all_tenants.get()
    assert version.pains == ["Downtime", "Scrap"]
    assert version.criteria == [
        {"field": "industry", "operator": "in", "value": ["Manufacturing", "Logistics"],
         "weight": 40},
        {"field": "company_size", "operator": "range", "value": [50, None], "weight": 30},
        {"field": "title", "operator": "contains_any", "value": ["coo", "operations"],
         "weight": 20},
        {"field": "custom.plan", "operator": "equals", "value": True, "weight": 10},
    ]  # fmt: skip
    detail = client.get(response["Location"])
    assert "Manufacturing, Logistics" in text(detail)
    assert "Approve for marketing" in buttons(detail)


def test_the_field_picker_offers_lead_fields_and_a_custom_key(tenant, page_for):
    client = page_for(Role.MARKETER)
    form = client.get(url(tenant, "new")).content.decode()
    picker = form[form.index('aria-label="Criterion 1 field"') : form.index("</select>")]
    assert '<option value="company_size">Company size (employees)</option>' in picker
    assert '<option value="custom">Custom field…</option>' in picker
    assert 'id="criterion-row-template"' in form and "criteria-__prefix__-field" in form

    data = form_data(rows=[("custom", "equals", "gold", "10")])
    data["criteria-0-custom_key"] = "plan"
    assert client.post(url(tenant, "new"), data).status_code == 302
    version = PersonaVersion.all_tenants.get()
    assert version.criteria[0]["field"] == "custom.plan"

    persona = BuyerPersona.all_tenants.get()
    edit = client.get(url(tenant, persona.pk, "edit")).content.decode()
    assert re.search(r'<option value="custom" selected>Custom field…</option>', edit)
    assert 'value="plan"' in edit


def test_a_custom_field_without_its_key_is_refused_beside_the_row(tenant, page_for):
    response = page_for(Role.MARKETER).post(
        url(tenant, "new"), form_data(rows=[("custom", "equals", "gold", "10")])
    )
    assert response.status_code == 400
    assert "Name the custom field" in text(response)
    assert not BuyerPersona.all_tenants.exists()


def test_an_invalid_criterion_row_is_shown_on_the_form(tenant, page_for):
    response = page_for(Role.MARKETER).post(
        url(tenant, "new"), form_data(rows=[("title", "range", "1, 5", "10")])
    )
    assert response.status_code == 400
    assert "needs a numeric field" in text(response)
    assert not BuyerPersona.all_tenants.exists()


def test_editing_an_approved_persona_makes_a_new_draft(tenant, page_for):
    persona = approved_persona(tenant)
    client = page_for(Role.SALES_REP)
    form = client.get(url(tenant, persona.pk, "edit"))
    assert "Saving makes version 2" in text(form)
    response = client.post(
        url(tenant, persona.pk, "edit"),
        form_data(rows=[("industry", "equals", "Retail", "100")]),
        follow=True,
    )
    assert "Saved as version 2, a draft" in text(response)
    assert dict(PersonaVersion.all_tenants.values_list("number", "status")) == {
        1: "approved", 2: "draft",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.MARKETER, ["Approve for marketing"]),
        (Role.SALES_REP, ["Approve for sales"]),
        (Role.MANAGER, ["Approve for marketing", "Approve for sales"]),
    ],
)
def test_each_role_gets_the_approve_buttons_of_its_side(tenant, page_for, role, expected):
    persona = BuyerPersonaFactory(tenant=tenant)
    response = page_for(role).get(url(tenant, persona.pk))
    assert [b for b in buttons(response) if b.startswith("Approve")] == expected


def test_approving_on_the_page_records_the_side(tenant, page_for):
    persona = BuyerPersonaFactory(tenant=tenant)
    client = page_for(Role.SALES_REP)
    response = client.post(url(tenant, persona.pk, "approve"), {"side": "sales", "version": "1"},
                           follow=True)  # fmt: skip
    assert "waiting for the other side" in text(response)
    assert PersonaApproval.all_tenants.get().side == "sales"
    assert not [b for b in buttons(response) if b.startswith("Approve")]  # done for this user


def test_a_refused_approval_is_explained(tenant, page_for):
    persona = BuyerPersonaFactory(tenant=tenant)
    response = page_for(Role.MARKETER).post(
        url(tenant, persona.pk, "approve"), {"side": "sales"}, follow=True
    )
    assert "approves for marketing only" in text(response)
    assert not PersonaApproval.all_tenants.exists()


def test_comparing_two_versions_shows_what_changed(tenant, page_for):
    persona = BuyerPersonaFactory(tenant=tenant, version__name="Old name")
    PersonaVersion.all_tenants.create(
        tenant=tenant, persona=persona, number=2, name="New name",
        summary=PersonaVersion.all_tenants.get(number=1).summary, pains=["Downtime"],
        goals=["Fewer stoppages"],
        criteria=[{"field": "industry", "operator": "in", "value": ["manufacturing"],
                   "weight": 50},
                  {"field": "country", "operator": "equals", "value": "DE", "weight": 5}],
    )  # fmt: skip
    response = page_for(Role.MARKETER).get(url(tenant, persona.pk, "compare") + "?a=1&b=2")
    body = text(response)
    assert response.status_code == 200
    assert re.search(r'<tr class="changed" data-field="name">', body)
    assert re.search(r'<tr class="same" data-field="summary">', body)
    # industry and country changed their values and weights; size and title are gone
    assert re.findall(r'data-status="(\w+)"', body) == ["changed", "removed", "removed", "changed"]


def test_a_comment_is_added_on_the_current_version(tenant, page_for):
    persona = BuyerPersonaFactory(tenant=tenant)
    client = page_for(Role.SALES_REP)
    response = client.post(url(tenant, persona.pk, "comments"), {"body": "Too broad."},
                           follow=True)  # fmt: skip
    assert "Too broad." in text(response)
    comment = PersonaComment.all_tenants.get()
    assert (comment.version.number, comment.role) == (1, "sales_rep")


def settings_form(**changes) -> dict:
    from leads.models import EventType
    from personas.scoring import EngagementConfig

    weights = EngagementConfig.default().weights
    data = {"fit_weight": "0.6", "engagement_weight": "0.4", "half_life_days": "14",
            "saturation": "30"}  # fmt: skip
    data.update({f"weight_{kind}": str(weights[kind]) for kind in EventType.values})
    data.update({key: str(value) for key, value in changes.items()})
    return data


def test_a_manager_changes_scoring_settings_and_sees_the_rescore(
    tenant, page_for, django_capture_on_commit_callbacks
):
    LeadFactory(tenant=tenant)
    client = page_for(Role.MANAGER)
    assert 'name="weight_webinar"' in text(client.get(url(tenant)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(tenant, "scoring"), settings_form(weight_webinar=25),
                               follow=True)  # fmt: skip
    assert "re-scoring 1 leads in the background" in text(response)
    assert ScoringSettings.all_tenants.get().engagement_weights["webinar"] == 25
    job = RescoreJob.all_tenants.get()
    assert job.status == "done"
    body = text(client.get(url(tenant)))
    assert 'id="rescore-job"' in body and "<strong>1</strong> of 1 leads" in body


def test_only_managers_see_and_post_the_scoring_form(tenant, page_for):
    client = page_for(Role.MARKETER)
    assert 'name="weight_webinar"' not in text(client.get(url(tenant)))
    assert client.post(url(tenant, "scoring"), settings_form(fit_weight=1)).status_code == 403
    assert not ScoringSettings.all_tenants.exists()


def test_a_running_job_fragment_keeps_polling_and_a_finished_one_stops(tenant, page_for):
    client = page_for(Role.MARKETER)
    running = RescoreJobFactory(tenant=tenant, status="running", total=10, done=4)
    body = text(client.get(url(tenant, "jobs", running.pk)))
    assert 'hx-trigger="every 1s"' in body and "40%" in body
    done = RescoreJobFactory(tenant=tenant, status="done", total=10, done=10, changed=3)
    body = text(client.get(url(tenant, "jobs", done.pk)))
    assert "hx-trigger" not in body and "3 scores changed" in body
