"""The TwiML our voice webhook answers with, parsed back with xml.etree: one media stream, or a hang-up."""

import xml.etree.ElementTree as ET

from shared.calls import twiml


def _verbs(xml: str) -> list[ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "Response"
    return list(root)


def test_a_stream_is_one_connect_with_its_parameters_and_nothing_after_it():
    verbs = _verbs(twiml.stream("wss://voice.example/media/twilio", {"token": "v1.a.b", "call_id": "call_1"}))

    (connect,) = verbs  # nothing follows <Connect>: the call ends when the voice plane closes the socket
    (stream,) = list(connect)
    assert (connect.tag, stream.tag, stream.attrib) == ("Connect", "Stream", {"url": "wss://voice.example/media/twilio"})
    assert [(parameter.tag, parameter.attrib) for parameter in stream] == [
        ("Parameter", {"name": "token", "value": "v1.a.b"}), ("Parameter", {"name": "call_id", "value": "call_1"})]


def test_values_are_escaped():
    (connect,) = _verbs(twiml.stream('wss://v.example/m?a=1&b="2"', {"token": "<x & y>"}))

    (stream,) = list(connect)
    assert stream.get("url") == 'wss://v.example/m?a=1&b="2"' and stream[0].get("value") == "<x & y>"


def test_hang_up_is_a_hangup_alone():
    assert [verb.tag for verb in _verbs(twiml.hang_up())] == ["Hangup"]


def test_an_apology_is_said_before_the_hang_up():
    verbs = _verbs(twiml.apologise_and_hang_up("Sorry, goodbye."))

    assert [(verb.tag, verb.text) for verb in verbs] == [("Say", "Sorry, goodbye."), ("Hangup", None)]
