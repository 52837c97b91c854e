"""Fixtures of the lead page and import tests: clients per role, seeded reasons, uploads."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from leads.models import RejectionReason
from smarketing.tenancy.roles import Role


@pytest.fixture
def as_role(tenant, member):
    """as_role(role) -> (client logged in as a new member of that role, user)."""

    def make(role, **fields):
        user = member(tenant, role, **fields)
        client = Client()
        client.force_login(user)
        return client, user

    return make


@pytest.fixture
def reasons(tenant):
    """The tenant's default rejection reasons, seeded when the tenant was created."""
    seeded = list(RejectionReason.all_tenants.filter(tenant=tenant))
    assert {"bad_fit", "no_budget"} <= {reason.code for reason in seeded}
    return seeded


@pytest.fixture
def media_root(settings, tmp_path):
    """Uploaded files go to a fresh folder of the test (use it with `usefixtures`)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def marketer_client(tenant, api_client_for):
    return api_client_for(tenant, Role.MARKETER)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """upload(client, content, name) -> response; the queued task runs (eagerly) on commit."""

    def go(client, content: bytes, name: str = "leads.csv"):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(
                "/api/v1/imports/",
                {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
                format="multipart",
            )

    return go
