"""The sandbox Slack page shows mrkdwn as Slack would, and never lets message text become markup."""

from __future__ import annotations

import pytest

from infra_local.slack_mrkdwn import mrkdwn_to_html


@pytest.mark.parametrize(("mrkdwn", "shown"), [
    ("*Concession* of 1500 USD", "<strong>Concession</strong> of 1500 USD"),
    ("_Why:_ asked for 15%", "<em>Why:</em> asked for 15%"),
    ("~old~ new", "<del>old</del> new"),
    ("Workflow `wf_0Va_bc` · run `run_1`", "Workflow <code>wf_0Va_bc</code> · run <code>run_1</code>"),
    ("first\nsecond", "first<br>second"),
    ("see <https://example.com/a?b=1&c=2|the docs>",
     'see <a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">the docs</a>'),
    ("<@U123> and <!here>", "<b>@U123</b> and <b>@here</b>"),
    ("snake_case_name and ***0304 stay as they are", "snake_case_name and ***0304 stay as they are"),
    ("a &lt;b&gt; &amp; c", "a &lt;b&gt; &amp; c"),
])
def test_mrkdwn_is_shown_as_slack_shows_it(mrkdwn, shown):
    assert mrkdwn_to_html(mrkdwn) == shown


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "*<img src=x onerror=alert(1)>*",
                                     "<javascript:alert(1)|click me>", '`"><svg onload=alert(1)>`'])
def test_message_text_never_becomes_markup(hostile):
    shown = mrkdwn_to_html(hostile)

    assert "<script" not in shown and "<img" not in shown and "<svg" not in shown and "href" not in shown
