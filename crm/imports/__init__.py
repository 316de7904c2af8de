"""Imports: upload, map columns, preview (dry run), commit."""
