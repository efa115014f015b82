"""Configuration: what admins and consultants shape without code.

Validating and applying a configuration bundle (``bundle``); governance model
drafts, measure types and publishing (``drafts``); the hierarchy and
node-scoped roles edited in the pages (``structure``); the diff of a draft
and its impact on the portfolio before it is published (``preview``).

May import: governance, value, rights
"""
