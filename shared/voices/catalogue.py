"""The voice catalogue: the six English personas of the reference and one Hindi voice, in one table.

`provider_voice_id` is the Cartesia voice each persona speaks with. The ids below are placeholders
(the sandbox only hashes them into a pitch): set the account's chosen Cartesia voices here before
turning Cartesia on.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VoiceEntry:
    id: str
    name: str
    language: str  # BCP 47
    gender: str
    accent: str
    description: str
    provider_voice_id: str
    sample_text: str

    @property
    def tts_language(self) -> str:
        return self.language.split("-")[0]


_EN_SAMPLE = ("Hi, this is {name}, an automated AI assistant calling on behalf of Acme. This call may be "
              "recorded. Is now a good time? If you'd rather not get these calls, just say stop.")

VOICES: tuple[VoiceEntry, ...] = tuple(
    VoiceEntry(id=id, name=name, language=language, gender=gender, accent=accent, description=description,
               provider_voice_id=provider_voice_id, sample_text=sample or _EN_SAMPLE.format(name=name))
    for id, name, language, gender, accent, description, provider_voice_id, sample in (
        ("amelia", "Amelia", "en-GB", "female", "British",
         "Warm and composed; suits renewals and customer care.", "cartesia-placeholder-amelia", None),
        ("rohan", "Rohan", "en-IN", "male", "Indian",
         "Friendly and direct; suits Indian SMB sales and collections.", "cartesia-placeholder-rohan", None),
        ("kai", "Kai", "en-US", "male", "American",
         "Upbeat and quick; suits demos, events and win-back offers.", "cartesia-placeholder-kai", None),
        ("anya", "Anya", "en-US", "female", "American",
         "Calm and precise; suits appointment setting and reminders.", "cartesia-placeholder-anya", None),
        ("leo", "Leo", "en-AU", "male", "Australian",
         "Relaxed and conversational; suits feedback and surveys.", "cartesia-placeholder-leo", None),
        ("priya", "Priya", "en-IN", "female", "Indian",
         "Bright and reassuring; suits onboarding and payment follow-ups.", "cartesia-placeholder-priya", None),
        ("kavya", "Kavya", "hi-IN", "female", "Hindi",
         "Natural Hindi and Hinglish; suits Hindi-first audiences in India.", "cartesia-placeholder-kavya",
         "नमस्ते, मैं काव्या हूँ, Acme की ओर से एक स्वचालित AI सहायक। यह कॉल रिकॉर्ड की जा सकती है। "
         "अगर आप ये कॉल नहीं चाहते, तो बस 'बंद करो' कहिए।"),
    )
)

_BY_ID = {voice.id: voice for voice in VOICES}


def find_voice(voice_id: str) -> VoiceEntry | None:
    return _BY_ID.get(voice_id.strip().lower())
