"""Tools run by hand or by tests: crash bench, load test, browser time to first token, fault server."""
