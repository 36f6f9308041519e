"""The voice catalogue: the six English personas of the reference and one Hindi voice, in one table.

`provider_voice_id` is the Cartesia voice each persona speaks with. The ids below are placeholders: set the
account's chosen Cartesia voices here before turning Cartesia on. `sandbox_voice` is the espeak-ng voice
(`language+variant`) the sandbox speaks the persona with — previews, samples and sandbox calls — each persona its
own, in the nearest accent espeak-ng has (it has no Indian or Australian English; `en` is its British English —
it ignores a variant on the name `en-gb`).
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
    sandbox_voice: str
    sample_text: str

    @property
    def tts_language(self) -> str:
        return self.language.split("-")[0]

    def voice_id_for(self, tts_name: str) -> str:
        """This persona's voice at a TTS adapter (`TextToSpeech.name`): the sandbox's espeak voice, else Cartesia's."""
        return self.sandbox_voice if tts_name == "sandbox" else self.provider_voice_id


_EN_SAMPLE = ("Hi, this is {name}, an automated AI assistant calling on behalf of Acme. This call may be "
              "recorded. Is now a good time? If you'd rather not get these calls, just say stop.")

VOICES: tuple[VoiceEntry, ...] = tuple(
    VoiceEntry(id=id, name=name, language=language, gender=gender, accent=accent, description=description,
               provider_voice_id=provider_voice_id, sandbox_voice=sandbox_voice,
               sample_text=sample or _EN_SAMPLE.format(name=name))
    for id, name, language, gender, accent, description, provider_voice_id, sandbox_voice, sample in (
        ("amelia", "Amelia", "en-GB", "female", "British",
         "Warm and composed; suits renewals and customer care.",
         "cartesia-placeholder-amelia", "en-gb-x-rp+f3", None),
        ("rohan", "Rohan", "en-IN", "male", "Indian",
         "Friendly and direct; suits Indian SMB sales and collections.",
         "cartesia-placeholder-rohan", "en+m3", None),
        ("kai", "Kai", "en-US", "male", "American",
         "Upbeat and quick; suits demos, events and win-back offers.",
         "cartesia-placeholder-kai", "en-us+m1", None),
        ("anya", "Anya", "en-US", "female", "American",
         "Calm and precise; suits appointment setting and reminders.",
         "cartesia-placeholder-anya", "en-us+f2", None),
        ("leo", "Leo", "en-AU", "male", "Australian",
         "Relaxed and conversational; suits feedback and surveys.",
         "cartesia-placeholder-leo", "en-gb-x-gbclan+m7", None),
        ("priya", "Priya", "en-IN", "female", "Indian",
         "Bright and reassuring; suits onboarding and payment follow-ups.",
         "cartesia-placeholder-priya", "en+f4", None),
        ("kavya", "Kavya", "hi-IN", "female", "Hindi",
         "Natural Hindi and Hinglish; suits Hindi-first audiences in India.",
         "cartesia-placeholder-kavya", "hi+f3",
         "नमस्ते, मैं काव्या हूँ, Acme की ओर से एक स्वचालित AI सहायक। यह कॉल रिकॉर्ड की जा सकती है। "
         "अगर आप ये कॉल नहीं चाहते, तो बस 'बंद करो' कहिए।"),
    )
)

_BY_ID = {voice.id: voice for voice in VOICES}


def find_voice(voice_id: str) -> VoiceEntry | None:
    return _BY_ID.get(voice_id.strip().lower())
