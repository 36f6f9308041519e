"""The TwiML our voice webhooks answer with, parsed back with xml.etree; and the persona → voice map."""

import xml.etree.ElementTree as ET

import pytest

from shared.calls import twiml
from shared.workflows.personas import PERSONAS


def _verbs(xml: str) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return list(root)


def test_speak_and_listen_says_the_line_inside_a_speech_gather():
    verbs = _verbs(twiml.speak_and_listen("Is now a good time?", gather_url="https://cf.example/g",
                                          language="en-IN", voice="Polly.Kajal-Neural", timeout_seconds=4,
                                          fallback_url="https://cf.example/f"))

    gather = verbs[0]
    assert gather.tag == "Gather"
    assert gather.attrib == {"input": "speech", "action": "https://cf.example/g", "method": "POST",
                             "language": "en-IN", "speechTimeout": "auto", "timeout": "4"}
    (say,) = list(gather)
    assert (say.tag, say.text, say.get("voice"), say.get("language")) == ("Say", "Is now a good time?",
                                                                          "Polly.Kajal-Neural", "en-IN")


def test_speak_and_listen_falls_through_to_the_fallback_when_the_callee_says_nothing():
    verbs = _verbs(twiml.speak_and_listen("Hello?", gather_url="https://cf.example/g", language="en-US",
                                          voice="Polly.Joanna-Neural", fallback_url="https://cf.example/f?n=1&x=2"))

    assert [verb.tag for verb in verbs] == ["Gather", "Redirect"]
    assert (verbs[1].text, verbs[1].get("method")) == ("https://cf.example/f?n=1&x=2", "POST")
    assert verbs[0].get("timeout") == "5"


def test_text_is_escaped_not_interpreted():
    verbs = _verbs(twiml.goodbye("Thanks & bye <Hangup/>"))

    assert [verb.tag for verb in verbs] == ["Say", "Hangup"] and verbs[0].text == "Thanks & bye <Hangup/>"


def test_hold_says_a_filler_pauses_and_asks_again():
    verbs = _verbs(twiml.hold("One moment.", hold_url="https://cf.example/h", pause_seconds=2,
                              voice="Polly.Amy-Neural", language="en-GB"))

    assert [verb.tag for verb in verbs] == ["Say", "Pause", "Redirect"]
    assert verbs[0].get("voice") == "Polly.Amy-Neural" and verbs[1].get("length") == "2"
    assert (verbs[2].text, verbs[2].get("method")) == ("https://cf.example/h", "POST")


def test_goodbye_says_the_line_then_hangs_up():
    verbs = _verbs(twiml.goodbye("Goodbye.", voice="Polly.Matthew-Neural", language="en-US"))

    assert [verb.tag for verb in verbs] == ["Say", "Hangup"]
    assert (verbs[0].get("voice"), verbs[0].get("language")) == ("Polly.Matthew-Neural", "en-US")


def test_voicemail_leaves_the_message_then_hangs_up():
    verbs = _verbs(twiml.voicemail("Hi, this is Acme calling back about your order."))

    assert [verb.tag for verb in verbs] == ["Say", "Hangup"]


def test_voicemail_without_a_message_just_hangs_up():
    assert [verb.tag for verb in _verbs(twiml.voicemail(None))] == ["Hangup"]


def test_hang_up_is_only_a_hangup():
    assert [verb.tag for verb in _verbs(twiml.hang_up())] == ["Hangup"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_speaks_with_a_neural_voice(persona):
    voice = twiml.voice_for(persona, "en-US")

    assert voice.startswith(("Polly.", "Google.")) and ("Neural" in voice)


@pytest.mark.parametrize("persona, voice", [("amelia", "Polly.Amy-Neural"), ("priya", "Polly.Kajal-Neural"),
                                            ("anya", "Polly.Joanna-Neural"), ("kai", "Polly.Matthew-Neural")])
def test_personas_speak_with_their_accents_voice(persona, voice):
    assert twiml.voice_for(persona, "en-IN") == voice


@pytest.mark.parametrize("persona, voice", [("priya", "Polly.Kajal-Neural"), ("amelia", "Polly.Kajal-Neural"),
                                            ("rohan", "Google.hi-IN-Neural2-B"), ("kai", "Google.hi-IN-Neural2-B")])
def test_hindi_is_spoken_by_a_hindi_voice_of_the_personas_gender(persona, voice):
    assert twiml.voice_for(persona, "hi-IN") == voice


def test_an_unknown_persona_gets_a_voice_for_the_language():
    assert twiml.voice_for(None, "en-GB") == "Polly.Amy-Neural"
    assert twiml.voice_for("zed", "fr-FR") == "Polly.Joanna-Neural"


def test_no_two_personas_share_a_voice():
    voices = [twiml.voice_for(persona, "en-US") for persona in PERSONAS]

    assert len(set(voices)) == len(PERSONAS)
