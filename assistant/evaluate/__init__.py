"""Evaluation runs: `python -m assistant.evaluate --qa PATH` (answers) and `--multihop DIR` (retrieval).

Both write `report.json`, `report.md` and a PNG chart to `--out`, print a table, and exit non-zero when
a threshold given on the command line is missed, so CI can guard quality.
"""
