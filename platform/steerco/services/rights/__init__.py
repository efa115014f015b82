"""Decision rights: who may decide, who is waiting, who is told.

People and their node-scoped roles (``people``); delegation of approval
rights (``delegation``); the SLA scan with reminders and escalation
(``sla``); notifications in the outbox and by mail (``notify``); the in-app
inbox (``inbox``); decisions needed and conditions due (``decisions``);
forecasts due (``forecasts``); idempotent writes (``idempotency``).

May import: nothing else
"""
