"""Configuration: what admins and consultants shape without code.

Applying a configuration bundle (``bundle``, its newer sections in
``sections``), checked for shape (``schema``) and meaning (``checks``) with
every problem listed; exporting the whole configuration (``export``), the
difference of two bundles in words (``diff``), and all three on behalf of a
person (``exchange``); moving running measures to another version of their
model (``migrate_measures``); governance model
drafts, measure types and publishing (``drafts``); the hierarchy and
node-scoped roles edited in the pages (``structure``); the diff of a draft
in words (``model_diff``) and its impact on the portfolio before it is
published (``preview``).

May import: governance, value, rights
"""
