"""The transfer's whisper (one sentence: who the callee is and what they want — Claude's with a key, else the offline
composer's, also when Claude fails) and the TwiML of a transfer's steps."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from shared.calls import twiml
from shared.platform.settings import reset_settings
from shared.transfers.ports import WhisperLine, WhisperRequest
from shared.transfers.whisper import OfflineWhisperComposer, compose_whisper, one_sentence
from tests.fakes.anthropic_api import FakeAnthropicApi

REQUEST = WhisperRequest(
    business_goal="Renew the annual plan of Khata Cloud", callee_last4="0105", reason="asked to speak to a person",
    transcript=(WhisperLine("agent", "Hello, I'm an AI assistant calling for Khata Cloud. This call is recorded."),
                WhisperLine("callee", "My invoice is wrong. I was billed twice!"),
                WhisperLine("agent", "I'm sorry to hear that."),
                WhisperLine("callee", "Can I speak to a real person, please?")))


@pytest.fixture
def claude(monkeypatch):
    with FakeAnthropicApi() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.base_url)
        reset_settings()
        yield server
    reset_settings()


def test_the_offline_whisper_is_one_sentence_naming_the_callee_the_campaign_and_their_last_words():
    whisper = OfflineWhisperComposer().write(REQUEST)

    assert whisper == ("Transfer from the AI caller: the contact on …0105, called to renew the annual plan of Khata "
                       "Cloud, asked to speak to a person, and said “Can I speak to a real person, please”.")
    assert one_sentence(whisper) == whisper


def test_a_long_last_line_is_cut_to_what_a_person_can_hear():
    long_line = WhisperLine("callee", "word " * 80)
    whisper = compose_whisper(WhisperRequest(business_goal="", callee_last4="0105", reason="asked for a manager",
                                             transcript=(long_line,)))

    assert len(whisper.split()) <= 45 and whisper.endswith(".")


def test_without_a_key_the_offline_composer_writes_it_and_claude_is_never_asked(claude):
    assert compose_whisper(REQUEST, anthropic_key=None) == OfflineWhisperComposer().write(REQUEST)
    assert claude.requests == []


def test_with_a_key_claude_writes_it_from_the_transcript_and_only_its_first_sentence_is_kept(claude):
    claude.answer_text("A caller billed twice on their Khata Cloud invoice wants a person to fix it. Be kind.")

    whisper = compose_whisper(REQUEST, anthropic_key="sk-test")

    assert whisper == "A caller billed twice on their Khata Cloud invoice wants a person to fix it."
    (asked,) = claude.requests
    content = asked.body["messages"][0]["content"]
    assert "<transcript>" in content and "Caller: My invoice is wrong. I was billed twice!" in content
    assert "ends in 0105" in content and asked.body["max_tokens"] <= 200


def test_when_claude_fails_the_offline_whisper_answers_instead(claude):
    claude.answer_status(529)

    assert compose_whisper(REQUEST, anthropic_key="sk-test") == OfflineWhisperComposer().write(REQUEST)


def test_the_transfer_dial_rings_the_number_with_the_whisper_recording_and_callbacks():
    root = ET.fromstring(twiml.dial_transfer("+14155550123", caller_id="+12025550147", ring_seconds=20,
                                             action="https://api.test/dial-result", whisper_url="https://api.test/w",
                                             recording_callback="https://api.test/rec"))

    (dial,) = list(root)
    (number,) = list(dial)
    assert dial.attrib == {"action": "https://api.test/dial-result", "method": "POST", "timeout": "20",
                           "callerId": "+12025550147", "record": "record-from-answer-dual",
                           "recordingStatusCallback": "https://api.test/rec", "recordingStatusCallbackMethod": "POST",
                           "recordingStatusCallbackEvent": "completed"}
    assert (number.tag, number.text, number.get("url"), number.get("method")) == (
        "Number", "+14155550123", "https://api.test/w", "POST")


def test_without_a_caller_id_the_dial_keeps_the_calls_own():
    (dial,) = list(ET.fromstring(twiml.dial_transfer("+14155550123", caller_id=None, ring_seconds=5, action="a",
                                                     whisper_url="w", recording_callback="r")))

    assert "callerId" not in dial.attrib


def test_the_whisper_is_said_escaped_and_the_stream_names_its_action():
    said = ET.fromstring(twiml.say("Caller <b> & co asked for a manager."))
    (connect,) = list(ET.fromstring(twiml.stream("wss://voice.test/media/twilio", {"token": "t"},
                                                 action="https://api.test/stream-end")))

    assert [(verb.tag, verb.text) for verb in said] == [("Say", "Caller <b> & co asked for a manager.")]
    assert (connect.tag, connect.get("action"), connect.get("method")) == ("Connect", "https://api.test/stream-end",
                                                                          "POST")
