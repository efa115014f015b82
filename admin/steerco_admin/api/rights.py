"""REST endpoints of the 'rights' area."""

APIS: tuple = ()
