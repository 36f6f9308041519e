"""`GET /reports/weekly` on moto sums the post-call analyses of the range's calls (issue 13 §2)."""

from __future__ import annotations

import pytest

from shared.calls import repository as calls
from shared.calls.models import CallAnalysis
from tests.integration.test_reports import IN_RANGE, RANGE, _seed_tenant, _text

pytestmark = pytest.mark.integration


def test_the_weekly_pdf_sums_the_analyses_of_the_ranges_calls(api):
    owner, key, _workflow = _seed_tenant(api, objection="price", calls_in_range=3)
    readings = [{"interested": True, "sentiment": "positive", "objections": ["Too expensive"],
                 "next_step": "Send the contract."},
                {"interested": False, "sentiment": "negative", "objections": ["too expensive"], "next_step": "None."},
                {"interested": True, "sentiment": "positive", "objections": [], "next_step": "Send the contract."}]
    for index, fields in enumerate(readings):
        call = calls.get(owner.tenant_id, f"call_{index}")
        assert calls.set_analysis_once(owner.tenant_id, call.id, CallAnalysis(
            fields=fields, generator="offline-composer", analyzed_at=IN_RANGE), contact_phone=call.target_phone)
    outside = calls.get(owner.tenant_id, "call_99")  # placed after the range
    calls.set_analysis_once(owner.tenant_id, outside.id, CallAnalysis(
        fields={"interested": True, "sentiment": "negative"}, generator="offline-composer", analyzed_at=IN_RANGE),
        contact_phone=outside.target_phone)

    reply = api.get("/reports/weekly", token=key, query=RANGE)  # the clock is past the JWT; a key never expires

    assert reply.status == 200
    text = _text(reply.raw)
    assert "Post-call analysis" in text and "Analysed 3 Interested 2 Not interested 1" in text
    assert "Sentiment: negative 1 Sentiment: positive 2" in text
    assert "Objection raised Calls Too expensive 2" in text and "Next step Calls Send the contract. 2 None. 1" in text
