"""Value: what a measure is worth, period by period, and how credible that is.

Value lines and their amounts per version (baseline, plan, forecast, actual)
and fiscal period (``amounts``, read side ``state``); the totals kept in step
with every write (``totals``); period locks, the baseline freeze and the
closure lock (``locks``); Implementation and Potential Status (``status``);
change requests through the change gate (``changes``); actuals imported from
files and ERP connectors (``actuals``), an ERP read booked period by period
(``erp_sync``) and compared with Steerco's actuals (``reconciliation``); the roll-up of a subtree (``rollup``);
the value settings and FX rates (``settings`` to read, ``configure`` to
change); plugins told of value changes after the commit (``changed``).

It tells the governance area that a measure's facts changed through
:data:`steerco.services.events.facts_changed`, never by importing it.

May import: nothing else
"""
