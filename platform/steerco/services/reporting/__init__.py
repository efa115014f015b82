"""Reporting: the portfolio read for leadership: the dashboard figures, the measure report and the
steering-committee packs.

The dashboard (``dashboard``) and the measure report (``reports``) are read
models and write nothing. A pack (``packs``) is one plain snapshot of a node's
figures for a period (sections in ``pack_sections``, the value bridge in
``bridge``), rendered as PDF, PowerPoint and Excel (``pack_pdf``,
``pack_pptx``, ``pack_xlsx``) and stored with its hashes.

May import: governance, value, rights
"""
