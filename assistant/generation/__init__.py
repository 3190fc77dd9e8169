"""Generation: LLM backends, model files and hardware checks, prompts, what the model reads, and the
answers written from the catalog or a byline instead of the model."""
