"""REST endpoints of the 'ui' area."""

APIS: tuple = ()
