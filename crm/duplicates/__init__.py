"""Likely duplicate companies and contacts, and merging two of them."""
