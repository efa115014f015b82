"""REST endpoints of the 'value' area."""

APIS: tuple = ()
