"""Reading MP3 frame headers: how long a file plays, measured from the file itself.

Players measure an MP3 by its frames (samples per frame / sample rate), so so do we: a duration we
report is then true to the bytes we stored, whoever encoded them (our sandbox writer or Cartesia).
Only MPEG audio Layer III is read; an ID3v2 tag in front and a Xing/Info tag frame are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bit rates (kbit/s) by header index: MPEG-1 Layer III, and MPEG-2/2.5 Layer III.
_BITRATES_V1 = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_BITRATES_V2 = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
# Sample rates by version bits (0 = MPEG-2.5, 2 = MPEG-2, 3 = MPEG-1) and header index.
_SAMPLE_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}


@dataclass(frozen=True)
class FrameHeader:
    version_bits: int
    bitrate_kbps: int
    sample_rate: int
    padding: int
    channels: int

    @property
    def samples(self) -> int:
        return 1152 if self.version_bits == 3 else 576

    @property
    def length(self) -> int:
        coefficient = 144 if self.version_bits == 3 else 72
        return coefficient * self.bitrate_kbps * 1000 // self.sample_rate + self.padding


def read_header(data: bytes, offset: int) -> FrameHeader | None:
    """The Layer III frame header at `offset`, or None when there is no valid one."""
    if offset + 4 > len(data) or data[offset] != 0xFF or data[offset + 1] & 0xE0 != 0xE0:
        return None
    version_bits = (data[offset + 1] >> 3) & 0b11
    layer_bits = (data[offset + 1] >> 1) & 0b11
    bitrate_index, rate_index = data[offset + 2] >> 4, (data[offset + 2] >> 2) & 0b11
    if version_bits == 1 or layer_bits != 0b01 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    table = _BITRATES_V1 if version_bits == 3 else _BITRATES_V2
    channels = 1 if data[offset + 3] >> 6 == 0b11 else 2
    return FrameHeader(version_bits, table[bitrate_index], _SAMPLE_RATES[version_bits][rate_index],
                       (data[offset + 2] >> 1) & 1, channels)


def _skip_id3v2(data: bytes) -> int:
    if data[:3] != b"ID3" or len(data) < 10:
        return 0
    size = 0
    for byte in data[6:10]:  # a "syncsafe" integer: 7 bits per byte
        size = (size << 7) | (byte & 0x7F)
    return 10 + size


def _is_tag_frame(data: bytes, offset: int, header: FrameHeader) -> bool:
    frame = data[offset: offset + header.length]
    return b"Xing" in frame[:64] or b"Info" in frame[:64]


def audio_frames(data: bytes) -> list[FrameHeader]:
    """Every audio frame's header, in order. Raises ValueError when the bytes are not an MP3."""
    offset, frames = _skip_id3v2(data), []
    while offset < len(data):
        header = read_header(data, offset)
        if header is None:
            if frames and data[offset:offset + 3] == b"TAG":  # an ID3v1 tag closes the file
                break
            raise ValueError(f"no MP3 frame at byte {offset}")
        if frames or not _is_tag_frame(data, offset, header):
            frames.append(header)
        offset += header.length
    if not frames:
        raise ValueError("no MP3 frames")
    return frames


def duration_ms(data: bytes) -> int:
    """How long the MP3 plays, in milliseconds (rounded to the nearest)."""
    return round(sum(frame.samples / frame.sample_rate for frame in audio_frames(data)) * 1000)
