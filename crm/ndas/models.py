"""Models of crm.ndas (placeholder)."""
