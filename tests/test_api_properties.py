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
    # The run's own words beside its JSON report, which names failures but not requests.
    (report_dir / "output.txt").write_text(output)
    reports = sorted(report_dir.glob("json-*.json"))
    assert reports, output[-5000:]
    report = json.loads(reports[-1].read_text())
    report["output"] = output
    return report


# Schema-valid requests refused by a rule OpenAPI 3.0 cannot state: a relation between two
# fields or parameters, a bound that moves with the clock, the contents of a file, the names
# of an object's keys. Each is answered 400 with a message for people; docs/security.md says
# why each stays. Everything the schema can state, it states (tests/
# test_api_schema_states_rules.py), and a well-formed request that the tenant's data refuses
# (a name taken, an owner who is no member, a campaign not here) is a 409, which schemathesis
# accepts. Listed by operation, so anything else the run finds fails this test; server
# errors (ST101) are never listed.
REPORT_RANGE = "`from` after `to`, or a range over the report's limit (`to` defaults to today)"
REFUSED_BY_RULES_THE_SCHEMA_CANNOT_STATE = {
    "GET /api/v1/feedback/rejections/": REPORT_RANGE,
    "GET /api/v1/feedback/rejections.csv": REPORT_RANGE,
    "GET /api/v1/sla/compliance/": REPORT_RANGE,
    "GET /api/v1/sla/compliance.csv": REPORT_RANGE,
    "GET /api/v1/reports/funnel/": REPORT_RANGE,
    "GET /api/v1/reports/funnel.csv": REPORT_RANGE,
    "GET /api/v1/reports/campaigns/": REPORT_RANGE,
    "GET /api/v1/reports/campaigns.csv": REPORT_RANGE,
    "GET /api/v1/personas/": REPORT_RANGE,
    "GET /api/v1/personas/performance.csv": REPORT_RANGE,
    "GET /api/v1/personas/{id}/performance/": REPORT_RANGE,
    "POST /api/v1/campaigns/": "a campaign that ends before it starts",
    "PATCH /api/v1/campaigns/{id}/": "a campaign that ends before it starts",
    "POST /api/v1/leads/": "a custom field with an empty name (3.0 has no `propertyNames`)",
    "PATCH /api/v1/leads/{id}/": "a custom field with an empty name (3.0 has no `propertyNames`)",
    "POST /api/v1/leads/{id}/transition/": "a move whose target needs a reason code or an amount",
    "POST /api/v1/leads/{id}/touches/": "a touch more than 7 days ago, ahead of the clock, or "
    "before the lead's acceptance",
    "POST /api/v1/imports/": "a file that is not CSV; a mapping with no e-mail column, or two "
    "columns on one target",
    "POST /api/v1/imports/preview/": "a file that is not CSV",
    "POST /api/v1/forms/": "a required field the form does not ask",
    "PATCH /api/v1/forms/{id}/": "a required field the form does not ask",
    "POST /api/v1/meetings/": "one end of the period without the other, an end before the "
    "start, more than 366 days",
    "PATCH /api/v1/meetings/{id}/": "one end of the period without the other, an end before "
    "the start, more than 366 days",
    "POST /api/v1/meetings/series/": "a time the clocks skip in the series' timezone",
    "PATCH /api/v1/meetings/series/{id}/": "a time the clocks skip in the series' timezone",
    "POST /api/v1/personas/": "a criterion's value that does not suit its field and operator",
    "PATCH /api/v1/personas/{id}/": "a criterion's value that does not suit its field and operator",
    "PATCH /api/v1/scoring/settings/": "both score weights 0",
    "POST /api/v1/sla/": "terms that contradict each other (an SQL threshold below the MQL "
    "threshold, a hot deadline longer than the normal one)",
    "PATCH /api/v1/sla/{id}/": "terms that contradict each other (an SQL threshold below the "
    "MQL threshold, a hot deadline longer than the normal one)",
    "PUT /api/v1/routing/": "a rule naming a team the body does not define, or both or "
    "neither of team and rep; a team named twice",
    "POST /api/v1/goals/": "a target whose form the metric decides (a count is whole, a rate "
    "at most 1)",
    "POST /api/v1/goals/{id}/sign/": "a manager or admin who names no side",
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
