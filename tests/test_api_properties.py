"""Property-based run of the whole API against its own OpenAPI document, on a live server.

gunicorn serves the app (DEBUG off, as deployed) on 127.0.0.1 against the test database, and
the schemathesis command line runs as its defaults say: every check and every phase
(examples, coverage, fuzzing, stateful), once with a manager's key and once with an
integration key. The number of examples is capped and the seed fixed, so the run fits in
CI and repeats, and NUL is not generated (refused on purpose). Every failure fails the
test with the report's own words, except schema-valid requests refused by the rules
listed below.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from smarketing.tenancy.models import Tenant
from smarketing.tenancy.roles import Role
from tests.factories import ApiKeyFactory, MembershipFactory
from tests.webhooks.stack import ROOT, free_port, url_for_database, wait_for_port

# Every operation of the schema, positive and negative, then stateful: minutes, not seconds.
pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MAX_EXAMPLES = os.environ.get("API_PROPERTY_EXAMPLES", "5")
SEED = os.environ.get("API_PROPERTY_SEED", "20261204")
SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


@pytest.fixture(scope="module")
def live_server_url(django_db_setup, django_db_blocker):
    """gunicorn on a free loopback port, on the test database; no broker, no network."""
    with django_db_blocker.unblock():
        database = url_for_database(os.environ["DATABASE_URL"], connection.settings_dict["NAME"])
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="smk-props-") as var_dir:
        env = {
            **os.environ,
            "DATABASE_URL": database,
            "DJANGO_SETTINGS_MODULE": "smarketing.settings",
            "DEBUG": "0",
            "SECRET_KEY": "property-test-secret-key-0123456789abcdef",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            # Webhook URLs that generated requests make up are refused, never called.
            "WEBHOOKS_ALLOW_PRIVATE": "0",
            "API_RATE_PER_KEY": "1000000/min",
            "API_RATE_PER_TENANT": "1000000/min",
            "CONN_MAX_AGE": "0",
            "LOG_LEVEL": "WARNING",
            # Tasks queue in this folder's embedded broker; no worker runs them.
            "SMARKETING_VAR_DIR": var_dir,
        }
        for name in ("SMARKETING_TESTING", "CELERY_TASK_ALWAYS_EAGER", "REDIS_URL"):
            env.pop(name, None)
        log = open(Path(var_dir) / "gunicorn.log", "wb")  # noqa: SIM115  (closed below)
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "smarketing.wsgi:application",
             "--bind", f"127.0.0.1:{port}", "--workers", "2", "--log-level", "warning"],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
        try:
            wait_for_port(port, timeout=60)
            yield f"http://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()


def seed() -> dict[str, str]:
    """A demo tenant (leads in every stage, an SLA, a meeting...) and the two keys."""
    call_command("seed_demo", tenant="props", leads=24, stdout=open(os.devnull, "w"))  # noqa: SIM115
    tenant = Tenant.objects.get(slug="props")
    manager = MembershipFactory(tenant=tenant, role=Role.MANAGER).user
    return {
        "manager": ApiKeyFactory.issue(tenant=tenant, user=manager).raw_key,
        "integration": ApiKeyFactory.issue(tenant=tenant).raw_key,
    }


def start_schemathesis(base_url: str, key: str, report_dir: Path) -> subprocess.Popen:
    command = [
        str(SCHEMATHESIS), "run", f"{base_url}/api/schema/",
        "--header", f"Authorization: Bearer {key}",
        "--max-examples", MAX_EXAMPLES, "--seed", SEED, "--workers", "2",
        "--report", "json", "--report-dir", str(report_dir), "--no-color",
        # NUL is refused on purpose (PostgreSQL cannot store it; see docs/security.md).
        "--generation-allow-x00", "false",
    ]  # fmt: skip
    report_dir.mkdir()
    return subprocess.Popen(
        command, cwd=report_dir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def finished_report(run: subprocess.Popen, report_dir: Path) -> dict:
    output, _ = run.communicate(timeout=900)
    reports = sorted(report_dir.glob("json-*.json"))
    assert reports, output[-5000:]
    report = json.loads(reports[-1].read_text())
    report["output"] = output
    return report


# Schema-valid requests that a rule the schema cannot state (OpenAPI 3.0 has no way to
# relate two fields, or to say "a member of this tenant") refuses with a 400 and a message
# for people. Listed by operation, so anything else the run finds fails this test; server
# errors (ST101) are never listed.
REFUSED_BY_RULES_THE_SCHEMA_CANNOT_STATE = {
    "GET /api/v1/feedback/rejections/": "at most ten years at once; `from` after `to`",
    "GET /api/v1/sla/compliance/": "at most ten years at once; `from` after `to`",
    "GET /api/v1/sla/compliance.csv": "at most ten years at once; `from` after `to`",
    "GET /api/v1/feedback/rejections.csv": "at most ten years at once; `from` after `to`",
    "GET /api/v1/reports/funnel/": "at most 731 days at once; `from` after `to`",
    "GET /api/v1/reports/funnel.csv": "at most 731 days at once; `from` after `to`",
    "GET /api/v1/reports/campaigns/": "at most ten years at once; `from` after `to`",
    "GET /api/v1/reports/campaigns.csv": "at most ten years at once; `from` after `to`",
    "GET /api/v1/sla/shortfalls/": "a period of year 0000 or past 9999-11",
    "POST /api/v1/campaigns/": "a campaign name already taken",
    "PATCH /api/v1/campaigns/{id}/": "a campaign name already taken",
    "PATCH /api/v1/leads/{id}/": "another lead's address; an unknown country code",
    "POST /api/v1/leads/": "an unknown country code; a custom field with an empty name",
    "POST /api/v1/leads/{id}/assign/": "an owner who is not a sales rep or manager here",
    "POST /api/v1/leads/{id}/reject/": "a reason code the tenant has not defined",
    "POST /api/v1/leads/{id}/transition/": "a move that needs a reason code or an amount",
    "POST /api/v1/leads/{id}/touches/": "a touch in the future",
    "POST /api/v1/imports/": "a file that is not CSV; a saved mapping the tenant does not have",
    "POST /api/v1/imports/preview/": "a file that is not CSV",
    "POST /api/v1/forms/": "an origin that is no origin; a campaign not here",
    "PATCH /api/v1/forms/{id}/": "an origin that is no origin; a campaign not here",
    "POST /api/v1/leads/{id}/merge/": "a field not to choose; the lead itself",
    "POST /api/v1/meetings/": "attendees who are not members; days outside 1990-2999",
    "PATCH /api/v1/meetings/{id}/": "days outside 1990-2999",
    "POST /api/v1/meetings/{id}/action-items/": "an owner who is not a member; due days",
    "PATCH /api/v1/meetings/{id}/action-items/{item_id}/": "an owner who is not a member",
    "POST /api/v1/meetings/series/": "a time the clocks skip; an unknown timezone; a duration "
    "of 0 or less; attendees who are not members",
    "PATCH /api/v1/meetings/series/{id}/": "a time the clocks skip; an unknown timezone; a "
    "duration of 0 or less; attendees who are not members",
    "POST /api/v1/personas/": "criteria on unknown fields; too many entries",
    "PATCH /api/v1/personas/{id}/": "criteria on unknown fields; too many entries",
    "POST /api/v1/personas/{id}/comments/": "a version the persona does not have",
    "PATCH /api/v1/scoring/settings/": "both score weights 0",
    "POST /api/v1/sla/": "cold-after days for stages that are not open; float digits",
    "PATCH /api/v1/sla/{id}/": "cold-after days for stages that are not open; float digits",
    "PUT /api/v1/routing/": "teams and reps that do not exist",
    "GET /api/v1/goals/": "a period of year 0000 or past 9999-11",
    "GET /api/v1/goals/scoreboard/": "a period of year 0000 or past 9999-11",
    "POST /api/v1/goals/": "a period that ended; a goal the metric has for it; a count not whole",
    "POST /api/v1/goals/{id}/sign/": "a side someone else signed; a period that ended",
    "Stateful tests": "any of the above, reached through links",
}


def unexpected(report: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for failure in report["failures"]:
        for operation in failure["operations"]:
            known = operation in REFUSED_BY_RULES_THE_SCHEMA_CANNOT_STATE
            if failure["code"] != "ST202" or not known:
                found.setdefault(f"{failure['code']} {failure['title']}", []).append(operation)
    return found


def test_the_live_api_answers_every_generated_request_as_its_schema_says(live_server_url, tmp_path):
    keys = seed()
    # Both runs at once: each waits on the server most of the time.
    runs = {
        who: start_schemathesis(live_server_url, key, tmp_path / who) for who, key in keys.items()
    }
    reports = {who: finished_report(run, tmp_path / who) for who, run in runs.items()}

    for who, report in reports.items():
        counts = {f"{f['code']} {f['title']}": f["count"] for f in report["failures"]}
        print(f"\nschemathesis as {who}: {report['test_cases']}, failures {counts or 'none'}")
    for who, report in reports.items():
        assert report["test_cases"]["generated"] > 500, who
        ran = {name for name, phase in report["phases"].items() if phase["status"] != "skip"}
        assert ran >= {"coverage", "fuzzing", "stateful"}, (who, report["phases"])
        assert not report["errors"], (who, report["errors"])
        failures = report["output"].rpartition("= FAILURES =")[2][:30000]
        assert not unexpected(report), f"as {who}:\n{failures}"
