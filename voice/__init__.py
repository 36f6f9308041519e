"""The voice plane: a long-lived service that runs one Pipecat pipeline per live call (docs/ARCHITECTURE.md §5).

It sits above `shared` (it uses the domain's services and repositories) and beside `functions`: no Lambda ever
imports it, and it never ships in a Lambda package (its dependencies are voice/requirements.txt).
"""
