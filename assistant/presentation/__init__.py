"""Presentation: what the page shows (markdown, sources), the browser's conversations, feedback."""
