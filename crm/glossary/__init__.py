"""The technical glossary: Japanese ↔ English pairs that matching uses across languages."""
