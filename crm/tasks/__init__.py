"""Tasks: what someone has to do next, by when, and for which record."""
