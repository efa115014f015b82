"""Governance: measures moving through gates, and the record of who decided what.

Creating and editing measures (``measures``, and what the measure page
edits: ``measure_editing``); checking, submitting, voting, waiving evidence
and clearing conditions (``gates``); evidence files and links
(``evidence``); the facts gate criteria read, for one measure or many
(``facts``); dependencies between measures (``dependencies``); risks
(``risks``); reading and verifying the audit trail (``audit``).

May import: value, rights
"""
