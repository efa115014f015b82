"""REST endpoints of the 'status' area."""

APIS: tuple = ()
