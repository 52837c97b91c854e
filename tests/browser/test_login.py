import re

import pytest
from playwright.sync_api import expect

from smarketing.tenancy.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_user_logs_in_and_lands_on_the_tenant_home(tenant, member, log_in):
    user = member(tenant, Role.MARKETER)
    page = log_in(user)
    expect(page).to_have_url(re.compile(rf"/t/{tenant.slug}/$"))
    expect(page.get_by_role("heading", name=tenant.name)).to_be_visible()
    expect(page.get_by_text(user.email).first).to_be_visible()


def test_a_wrong_password_keeps_the_user_on_the_login_page(tenant, member, log_in):
    page = log_in(member(tenant, Role.MARKETER), password="not-it")
    expect(page.get_by_role("alert")).to_contain_text("didn't match")
