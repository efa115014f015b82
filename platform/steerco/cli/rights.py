"""`steerco` commands of the 'rights' area."""

COMMANDS: list = []
