"""The [emergency] section's team kinds (platform defaults: the seed gives only their
number) and the demo generator: registrations, teams and one past emergency, once."""

import pytest
from django.core.management import call_command
from django.test import Client
from pydantic import ValidationError

from emergency.models import Activation, ActivationStatus, CallUp, Team
from emergency.preset import DEFAULT_TEAM_KINDS, Emergency, emergency_settings, team_kinds
from members.models import Registration
from org.models import User


def test_fuzhou_s_nine_teams_take_the_platform_s_nine_names():
    assert len(DEFAULT_TEAM_KINDS) == 9
    assert (
        Emergency(switch=True, teams=9, registered_members=187000).team_kinds == DEFAULT_TEAM_KINDS
    )
    with pytest.raises(ValidationError):
        Emergency(teams=10)


def test_the_demo_registers_members_teams_and_one_past_emergency_once(db, city):
    assert emergency_settings().registered_members == 0  # 吉州 has no [emergency]: defaults
    client = Client()
    client.force_login(User.objects.get(username="demo-community"))
    page = client.get("/emergency/").content.decode()  # plain words for a missing target
    assert "未设定" in page and "预设" not in page.split('id="registered"')[1].split("</dl>")[0]
    call_command("make_emergency", "--seed=1", "--if-empty")
    registrations = Registration.objects.count()
    assert registrations > 0
    demo = Registration.objects.filter(user__username__in=["demo-volunteer", "demo-resident"])
    assert demo.count() == 2
    assert set(Team.objects.values_list("kind", flat=True)) <= set(team_kinds())
    activation = Activation.objects.get()
    assert activation.status == ActivationStatus.ENDED
    assert activation.started_by == User.objects.get(username="demo-community")
    actions = list(activation.events.values_list("action", flat=True))
    assert actions[0] == "switch" and actions[-1] == "end" and "task" in actions
    # The demo's member accounts find the call-up on 我的应急任务.
    assert CallUp.objects.filter(activation=activation, registration__in=demo).count() == 2
    assert CallUp.objects.filter(activation=activation, status="checked_in").exists()
    call_command("make_emergency", "--seed=1", "--if-empty")
    assert Registration.objects.count() == registrations and Activation.objects.count() == 1
