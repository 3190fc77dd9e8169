"""The question: validation, condensing follow-ups, what it asks for, the reader's filters, and
whether it is about the collection itself."""
