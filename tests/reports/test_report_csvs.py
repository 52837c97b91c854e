"""Compliance, feedback and persona performance as CSV: each opens with Python's csv module,
starts with its header row, quotes by RFC 4180, neutralises formulas, takes the same filters
as its JSON twin (and refuses the same bad ones), and shows one tenant only."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from smarketing.tenancy.roles import Role
from tests.leads.factories import LeadFactory, RejectionReasonFactory, StageTransitionFactory
from tests.personas.factories import BuyerPersonaFactory
from tests.queue.factories import TeamFactory, TeamMemberFactory
from tests.sla.factories import ObligationFactory, SlaVersionFactory

pytestmark = pytest.mark.django_db

FORMULA = '=HYPERLINK("http://evil.example","a, b")'


def opened(response) -> tuple[list[str], list[dict[str, str]]]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment")
    raw = b"".join(response.streaming_content).decode()
    assert "\r\n" in raw  # RFC 4180 line ends
    reader = csv.reader(io.StringIO(raw, newline=""))
    header = next(reader)
    return header, [dict(zip(header, row, strict=True)) for row in reader]


def test_compliance_csv_has_the_reports_figures_by_team_with_labels_made_harmless(
    tenant, other_tenant, api_client_for
):
    SlaVersionFactory(tenant=tenant, active=True)
    team = TeamFactory(tenant=tenant, name=FORMULA)
    rep = TeamMemberFactory(tenant=tenant, team=team).user
    now = timezone.now()
    opened_at = now - timedelta(days=2)
    for status in ("met", "met", "breached"):
        ObligationFactory(
            tenant=tenant, owner=rep, status=status, opened_at=opened_at,
            met_at=opened_at + timedelta(hours=1) if status == "met" else None,
            response_business_hours=1 if status == "met" else None,
            breached_at=opened_at + timedelta(hours=4) if status == "breached" else None,
        )  # fmt: skip
    ObligationFactory(tenant=other_tenant, status="breached", opened_at=opened_at,
                      breached_at=opened_at + timedelta(hours=4))  # fmt: skip
    client = api_client_for(tenant, Role.MANAGER)
    params = {"group_by": "team", "from": (now - timedelta(days=9)).date().isoformat(),
              "to": now.date().isoformat()}  # fmt: skip
    header, rows = opened(client.get("/api/v1/sla/compliance.csv", params))
    assert header[:3] == ["level", "key", "label"]
    report = client.get("/api/v1/sla/compliance/", params).json()
    total = next(row for row in rows if row["level"] == "total")
    assert total["opened"] == str(report["sales"]["opened"]) == "3"
    assert total["breached"] == "1"
    teams = [row for row in rows if row["level"] == "team"]
    assert [row["label"] for row in teams] == ["'" + FORMULA]  # quotes and comma survive
    assert teams[0]["opened"] == "3"
    # Another range: the same filter as the API, so nothing opened in it.
    _, old = opened(client.get("/api/v1/sla/compliance.csv",
                               {"from": "2020-01-01", "to": "2020-01-31"}))  # fmt: skip
    assert next(row for row in old if row["level"] == "total")["opened"] == "0"


@pytest.mark.parametrize(
    ("params", "field"),
    [({"group_by": "planet"}, "group_by"), ({"from": "2026-05-02", "to": "2026-05-01"}, "from")],
)
def test_compliance_csv_refuses_a_bad_filter_as_the_api_does(tenant, api_client_for, params, field):
    response = api_client_for(tenant, Role.MANAGER).get("/api/v1/sla/compliance.csv", params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert field in response.json()["errors"]


def test_feedback_csv_lists_groups_and_every_rejection_with_its_note(tenant, api_client_for):
    RejectionReasonFactory(tenant=tenant, code="too_small", label="Too small")
    now = timezone.now()
    lead = LeadFactory(tenant=tenant, email="ada@x.com")
    StageTransitionFactory(lead=lead, action="move", from_stage="mql", to_stage="sql", at=now)
    StageTransitionFactory(
        lead=lead, action="reject", from_stage="sql", to_stage="recycled",
        reason_code="too_small", note=f"{FORMULA}\nsecond line", at=now,
    )  # fmt: skip
    client = api_client_for(tenant, Role.MARKETER)
    header, rows = opened(client.get("/api/v1/feedback/rejections.csv", {"group_by": "reason"}))
    assert header[0] == "level"
    assert next(r for r in rows if r["level"] == "total")["rejected"] == "1"
    assert [r["label"] for r in rows if r["level"] == "reason"] == ["Too small"]
    [note] = [r for r in rows if r["level"] == "note"]
    assert note["note"] == "'" + FORMULA + "\nsecond line"  # a line break inside quotes
    assert note["email"] == "ada@x.com"
    old = client.get("/api/v1/feedback/rejections.csv", {"from": "2020-01-01", "to": "2020-01-02"})
    assert next(r for r in opened(old)[1] if r["level"] == "total")["rejected"] == "0"
    bad = client.get("/api/v1/feedback/rejections.csv", {"group_by": "colour"})
    assert bad.status_code == 400 and "group_by" in bad.json()["errors"]


def test_persona_performance_csv_has_a_row_per_persona_of_the_tenant(
    tenant, other_tenant, api_client_for
):
    persona = BuyerPersonaFactory(tenant=tenant, version__name=FORMULA)
    BuyerPersonaFactory(tenant=other_tenant, version__name="Theirs")
    lead = LeadFactory(tenant=tenant, persona_id=persona.pk)
    StageTransitionFactory(lead=lead, action="move", from_stage="lead", to_stage="mql")
    header, rows = opened(
        api_client_for(tenant, Role.SALES_REP).get("/api/v1/personas/performance.csv")
    )
    assert header[:2] == ["persona_id", "name"]
    assert [(row["name"], row["leads"], row["mqls"]) for row in rows] == [("'" + FORMULA, "1", "1")]
