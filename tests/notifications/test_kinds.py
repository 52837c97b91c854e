"""Kinds of notification are declared by the apps that send them; the core lists none."""

import ast
from pathlib import Path

import pytest

from smarketing.notifications.kinds import Channel, channel_for, kind_codes, register_kind

CORE_KINDS_MODULE = Path(__file__).resolve().parents[2] / "smarketing/notifications/kinds.py"


def test_every_app_declares_its_kinds_with_their_default_channel():
    codes = kind_codes()
    for code in ("lead_assigned", "lead.rejected", "sla_breached", "sla.marketing_missed",
                 "action_item_due", "webhook_disabled"):  # fmt: skip
        assert code in codes
    assert channel_for({}, "lead.rejected_digest") == Channel.NONE  # opt-in
    assert channel_for({}, "sla_breached") == Channel.BOTH
    assert channel_for({"sla_breached": "email"}, "sla_breached") == Channel.EMAIL


def test_the_core_module_names_no_kind_of_any_app():
    strings = {
        node.value
        for node in ast.walk(ast.parse(CORE_KINDS_MODULE.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert not strings & set(kind_codes())


def test_a_kind_declared_twice_differently_is_refused():
    assert register_kind("lead_cold", "A lead I own went cold", default_channel="in_app")
    with pytest.raises(ValueError):
        register_kind("lead_cold", "Something else", default_channel="both")


@pytest.mark.django_db
def test_the_preferences_page_offers_every_declared_kind(tenant, member):
    from django.test import Client

    from smarketing.tenancy.roles import Role

    client = Client()
    client.force_login(member(tenant, Role.MARKETER))
    html = client.get(f"/t/{tenant.slug}/notifications/").content.decode()
    for code in kind_codes():
        assert f'name="{code}"' in html
