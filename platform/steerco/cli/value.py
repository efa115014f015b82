"""`steerco` commands of the 'value' area."""

COMMANDS: list = []
