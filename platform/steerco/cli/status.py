"""`steerco` commands of the 'status' area."""

COMMANDS: list = []
