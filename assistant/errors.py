"""Errors whose messages are safe to show a person.

Front ends translate these once, at the edge: `app.py` into `gr.Error`, the CLIs into one line on
stderr and a non-zero exit. Anything else is a bug and is not swallowed.
"""


class AssistantError(Exception):
    """Base class: `str(error)` is a complete sentence a user can act on."""


class ConfigError(AssistantError):
    """A setting has a value that cannot work."""


class InvalidQuestion(AssistantError):
    """The question (or its history) cannot be answered as sent."""


class ModelError(AssistantError):
    """Model weights are missing, corrupt or cannot be loaded."""


class LLMUnavailable(AssistantError):
    """The language model could not produce an answer (server down, timeout, bad reply)."""


class PromptError(AssistantError):
    """A prompt file is missing or does not have the variables the code fills in."""


class StoreError(AssistantError):
    """The vector store cannot be reached or used."""
