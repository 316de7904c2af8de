"""Models of crm.imports (placeholder)."""
