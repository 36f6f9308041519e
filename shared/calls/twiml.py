"""The TwiML our voice webhooks answer with: speak and listen, hold, goodbye, voicemail, hang up.

Built with the SDK's `VoiceResponse` (imported on use, ~16 ms) so text is always escaped. A live turn
is `speak_and_listen`: Twilio says the line inside a speech <Gather> and posts what it heard to the
gather URL; when the callee says nothing the Gather ends empty-handed and Twilio falls through to the
<Redirect>, our fallback URL (which decides whether to prompt again or end the call).

`voice_for` maps our personas to Twilio's neural voices. Amazon Polly has no male Indian or Australian
neural voice, so Rohan and Leo speak with Google's Neural2 voices (Twilio offers both families).
"""

from __future__ import annotations

from typing import Any

#: persona → (Twilio voice for its own English, whether it is a male voice)
PERSONA_VOICES: dict[str, tuple[str, bool]] = {
    "amelia": ("Polly.Amy-Neural", False),  # en-GB
    "rohan": ("Google.en-IN-Neural2-B", True),  # en-IN
    "kai": ("Polly.Matthew-Neural", True),  # en-US
    "anya": ("Polly.Joanna-Neural", False),  # en-US
    "leo": ("Google.en-AU-Neural2-B", True),  # en-AU
    "priya": ("Polly.Kajal-Neural", False),  # en-IN (Kajal is bilingual: also hi-IN)
    "kavya": ("Polly.Kajal-Neural", False),  # the catalogue's Hindi voice
}
#: Hindi, whatever the persona's English accent: a voice of the persona's gender.
HINDI_VOICES = {False: "Polly.Kajal-Neural", True: "Google.hi-IN-Neural2-B"}
#: Unknown persona: a voice that speaks the call's language.
DEFAULT_VOICE_BY_LANGUAGE = {"en-GB": "Polly.Amy-Neural", "en-IN": "Polly.Kajal-Neural",
                             "en-AU": "Polly.Olivia-Neural", "hi-IN": "Polly.Kajal-Neural"}
DEFAULT_VOICE = "Polly.Joanna-Neural"


def voice_for(persona: str | None, language: str) -> str:
    """The Twilio <Say> voice for a persona speaking `language` (BCP 47, e.g. "en-IN", "hi-IN")."""
    known = PERSONA_VOICES.get((persona or "").strip().lower())
    if language.lower().startswith("hi"):
        return HINDI_VOICES[known[1] if known else False]
    if known:
        return known[0]
    return DEFAULT_VOICE_BY_LANGUAGE.get(language, DEFAULT_VOICE)


def speak_and_listen(text: str, *, gather_url: str, language: str, voice: str, timeout_seconds: int = 5,
                     fallback_url: str) -> str:
    """Say `text`, listen for speech (posted to `gather_url`); silence falls through to `fallback_url`."""
    response = _response()
    gather = response.gather(input="speech", action=gather_url, method="POST", language=language,
                             speech_timeout="auto", timeout=timeout_seconds)
    gather.say(text, voice=voice, language=language)
    response.redirect(fallback_url, method="POST")
    return str(response)


def hold(text: str, *, hold_url: str, pause_seconds: int, voice: str | None = None,
         language: str | None = None) -> str:
    """Say a filler line, wait, then ask `hold_url` again (while a slow decision is being made)."""
    response = _response()
    if text:
        _say(response, text, voice, language)
    response.pause(length=pause_seconds)
    response.redirect(hold_url, method="POST")
    return str(response)


def goodbye(text: str, *, voice: str | None = None, language: str | None = None) -> str:
    response = _response()
    _say(response, text, voice, language)
    response.hangup()
    return str(response)


def voicemail(message: str | None, *, voice: str | None = None, language: str | None = None) -> str:
    """Leave the rule book's voicemail message (or nothing) on an answering machine, then hang up."""
    response = _response()
    if message:
        _say(response, message, voice, language)
    response.hangup()
    return str(response)


def hang_up() -> str:
    response = _response()
    response.hangup()
    return str(response)


def _response() -> Any:
    from twilio.twiml.voice_response import VoiceResponse

    return VoiceResponse()


def _say(response: Any, text: str, voice: str | None, language: str | None) -> None:
    attributes = {name: value for name, value in (("voice", voice), ("language", language)) if value}
    response.say(text, **attributes)
