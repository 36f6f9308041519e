"""A new workflow is named by its generator (Claude's short title) or, when it gave none, by the composer's
reading of the prompt — never the prompt cut off at 80 characters."""

from __future__ import annotations

import pytest

from shared.workflows.composer import OfflineComposer
from shared.workflows.ports import GeneratedRuleBook
from tests.integration.conftest import sign_up_and_log_in

pytestmark = pytest.mark.integration

PROMPT = ("Renewal recovery for our SaaS customers whose annual plan lapsed in the last 30 days, IST 10am-7pm, "
          "offer up to 15% off, auto-approve 10%")


class NamingGenerator:
    """The composer's rule book under another generator's name, with the title that generator gives."""

    name = "anthropic"

    def __init__(self, title: str | None) -> None:
        self._title = title

    def generate(self, request):
        return GeneratedRuleBook(OfflineComposer().generate(request).rule_book, self._title)


@pytest.mark.parametrize(("title", "expected"), [("Lapsed-plan win-back", "Lapsed-plan win-back"),
                                                 (None, "SaaS renewal recovery")])
def test_the_workflow_is_named_by_its_generator_or_from_the_prompt(api, monkeypatch, title, expected):
    monkeypatch.setattr("shared.workflows.generator_selection.get_generator", lambda: NamingGenerator(title))
    owner = sign_up_and_log_in(api, country="IN")

    created = api.post("/api/workflows", {"nl_prompt": PROMPT}, token=owner.token)

    assert created.status == 201, created.body
    assert created.body["name"] == expected
    listed = api.get("/api/workflows", token=owner.token).body["workflows"]
    assert [workflow["name"] for workflow in listed] == [expected]
