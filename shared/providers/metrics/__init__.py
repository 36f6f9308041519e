"""Metrics the services publish themselves (today: the voice plane's active calls, for its autoscaling)."""
