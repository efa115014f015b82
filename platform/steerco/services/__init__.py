"""Use cases, grouped by capability. Each takes a unit of work (or the store) and an actor, explicitly.

| package | owns |
|---|---|
| :mod:`~steerco.services.governance` | measures, gates, reviews and votes, evidence, the facts gates read, dependencies, risks, the audit trail |
| :mod:`~steerco.services.value` | value lines and amounts, totals, locks, statuses, change requests, actuals, roll-up, FX |
| :mod:`~steerco.services.rights` | people and roles, delegation, SLA, notifications, the inbox, decisions needed, idempotency |
| :mod:`~steerco.services.integration` | connectors and their run log, CRM triggers and signatures, the directory, work items |
| :mod:`~steerco.services.configuration` | configuration bundles, model drafts, the hierarchy editor, previews |
| :mod:`~steerco.services.reporting` | the dashboard, the measure report, steering-committee packs |

The modules here are the shared kernel every area may import: ``access`` (a
measure on behalf of the actor), ``models`` (parsed governance models),
``views`` (read models as JSON) and ``events`` (how a lower area tells a
higher one). Each package's docstring says which other packages it may
import; ``tests/test_architecture.py`` holds them to it and refuses any
import circle.
"""

# Handlers of cross-area events are connected when their module is imported; importing them here puts
# them in place whichever area a process uses first (a CLI import of actuals must re-check reviews too).
from steerco.services.governance import gates as _gates  # noqa: F401, E402
