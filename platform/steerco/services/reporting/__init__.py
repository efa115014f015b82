"""Reporting: the portfolio read for leadership: the dashboard figures and the measure report.

Read models only; they write nothing.

May import: governance, value, rights
"""
