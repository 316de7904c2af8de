"""Models of crm.collaborations (placeholder)."""
