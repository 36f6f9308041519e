"""The laptop stack: every catalog function behind a local API Gateway, on moto, in one process.

Run it with `python -m infra_local` (`make run`); `PORT` overrides 8000.
"""
