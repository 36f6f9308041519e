"""The weekly PDF report: its figures (models), how they are gathered (service) and drawn (pdf)."""
