"""Collaborations: the nine-step pipeline, board and list, minutes."""
