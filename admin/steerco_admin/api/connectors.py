"""REST endpoints of the 'connectors' area."""

APIS: tuple = ()
