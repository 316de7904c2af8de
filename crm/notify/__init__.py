"""Telling people what is new or due for them: the e-mail digest of My work."""
