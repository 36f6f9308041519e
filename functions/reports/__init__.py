"""`GET /reports/weekly`: the tenant's PDF digest for a date range."""
