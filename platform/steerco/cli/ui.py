"""`steerco` commands of the 'ui' area."""

COMMANDS: list = []
