"""`steerco` commands of the 'connectors' area."""

COMMANDS: list = []
