"""Races on real PostgreSQL: separate connections in separate threads."""

import threading
import uuid

import pytest
from django.db import connection
from rest_framework.test import APIClient

from leads.models import Lead, Stage
from smarketing.tenancy.roles import Role
from tests.factories import ApiKeyFactory, MembershipFactory
from tests.leads.factories import LeadFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def client_for(tenant, role):
    user = MembershipFactory(tenant=tenant, role=role).user
    client = APIClient()
    client.credentials(
        HTTP_AUTHORIZATION=f"Bearer {ApiKeyFactory.issue(tenant=tenant, user=user).raw_key}"
    )
    client.user = user
    return client


def test_of_fifty_simultaneous_accepts_exactly_one_wins(tenant):
    lead = LeadFactory(tenant=tenant, stage=Stage.SQL)
    clients = [client_for(tenant, Role.SALES_REP) for _ in range(50)]
    responses = run_at_once(
        [lambda c=c: c.post(f"/api/v1/leads/{lead.pk}/accept/") for c in clients]
    )
    codes = sorted(r.status_code for r in responses)
    assert codes.count(200) == 1
    assert codes.count(409) == 49
    losers = {r.json()["code"] for r in responses if r.status_code == 409}
    assert losers == {"already_accepted"}
    lead.refresh_from_db()
    winner = next(c for c, r in zip(clients, responses, strict=True) if r.status_code == 200)
    assert lead.owner_id == winner.user.pk


def test_concurrent_duplicates_with_one_idempotency_key_create_one_lead(tenant):
    client = client_for(tenant, Role.MARKETER)
    key = str(uuid.uuid4())
    body = {"email": "race@x.com", "company": "Racers"}
    responses = run_at_once(
        [lambda: client.post("/api/v1/leads/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
         for _ in range(8)]
    )  # fmt: skip
    assert Lead.all_tenants.filter(email="race@x.com").count() == 1
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["id"] for r in responses}) == 1


def test_concurrent_posts_of_one_email_without_a_key_still_make_one_lead(tenant):
    client = client_for(tenant, Role.MARKETER)
    responses = run_at_once(
        [lambda i=i: client.post("/api/v1/leads/", {"email": "same@x.com", "title": f"T{i}"})
         for i in range(8)]
    )  # fmt: skip
    assert sorted(r.status_code for r in responses).count(201) == 1
    assert Lead.all_tenants.filter(email="same@x.com").count() == 1
