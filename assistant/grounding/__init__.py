"""Grounding: citation checks and the one answer-or-decline decision, with its reason."""
