"""Sandbox stand-ins for Deepgram, Claude and Cartesia in a live call (sandbox calls never spend).

Only the providers are replaced: transport, serializer, VAD, turn detection, aggregation, interruption handling
and recording stay the production ones (voice.pipeline).
"""
