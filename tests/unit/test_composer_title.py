"""The offline composer names a workflow in a few words, from what the prompt asks for."""

from __future__ import annotations

import pytest

from shared.workflows.composer import OfflineComposer
from shared.workflows.composer_title import workflow_title
from shared.workflows.ports import GenerationRequest
from tests.unit.test_composer_prompts import ORDINARY, TOO_WIDE


@pytest.mark.parametrize(("number", "title"), [
    (1, "Khata Cloud renewal recovery"), (2, "EMI reminders"), (3, "Smile Dental appointment confirmations"),
    (4, "Cash-on-delivery order confirmations"), (5, "Webinar invitations"), (6, "Real-estate lead qualification"),
    (7, "Furniture abandoned-cart recovery"), (8, "NPS survey"), (9, "Health insurance renewal recovery"),
    (10, "Gym win-back"),
])
def test_each_realistic_prompt_gets_a_short_title(number, title):
    assert workflow_title(ORDINARY[number]) == title


def test_the_readme_prompt_is_saas_renewal_recovery():
    prompt = "Renewal recovery for our SaaS customers, calling every day, offer up to 15% off, auto-approve 10%"

    generated = OfflineComposer().generate(GenerationRequest(prompt=prompt, persona_override=None,
                                                             tenant_country="US"))

    assert generated.name == "SaaS renewal recovery"


def test_a_prompt_without_a_known_goal_keeps_its_first_words():
    assert workflow_title(TOO_WIDE) == "Call everyone from 6am to 11pm"
    assert len(workflow_title("word " * 100).split()) <= 6


def test_a_prompt_without_a_known_goal_but_a_known_subject_is_named_by_it_not_cut_off():
    prompt = "Call our dental patients who missed their cleaning last month and book them in, weekdays only"

    assert workflow_title(prompt) == "Dental outreach"  # was "Call our dental patients who missed"
