"""Models of crm.screening (placeholder)."""
