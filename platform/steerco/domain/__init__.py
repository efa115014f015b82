"""The governance model: pure rules, no frameworks, no I/O (see README.md)."""
