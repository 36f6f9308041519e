"""What the voice plane's process writes to its log (CloudWatch in the cloud): never what a callee said."""

from __future__ import annotations

import sys

from loguru import logger

from voice.__main__ import configure_logging


def test_pipecats_debug_lines_with_the_callees_words_stay_out_of_the_log_and_its_info_lines_stay_in(capsys):
    try:
        configure_logging()
        # What pipecat's Anthropic service logs at DEBUG on every turn: the whole context, the callee's words too.
        logger.bind(name="pipecat.services.anthropic.llm").debug(
            "AnthropicLLMService#0: Generating LLM response [{'role': 'user', 'content': 'I am on +14155550123'}]")
        logger.info("Pipeline worker PipelineWorker#0 has finished")
    finally:
        logger.remove()
        logger.add(sys.stderr)  # loguru's default again, for the other tests

    written = capsys.readouterr().err
    assert "+14155550123" not in written
    assert "has finished" in written
