"""The speed benchmark: `python -m assistant.bench` (see `__main__`), ours beside a llama-index baseline."""
