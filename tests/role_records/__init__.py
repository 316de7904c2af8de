"""Per-feature records for tests/test_roles.py (see _records there)."""
