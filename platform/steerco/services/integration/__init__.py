"""Integration: other systems in and out, always outside a gate's transaction.

Connector settings, syncs with retry and the run log (``connectors``), the
settings checked with the external system before they are saved
(``connector_settings``) and a running sync's progress (``connector_progress``); CRM
triggers that create measures from signed webhooks (``triggers``, checked by
``signatures``); directory users and their groups (``directory``); work
items from project tools as milestones (``work_items``); evidence files kept
in a connector's document store, uploaded, linked and checked outside any
gate transaction (``remote_evidence``).

May import: governance, value, rights
"""
