"""Where evidence files live when a connector keeps them: the interface a document store implements.

A connector that declares the ``documents`` capability may offer an
:class:`EvidenceStore` through the ``steerco_evidence_store`` hook. Steerco
calls a store outside any unit of work (uploads and checks are HTTP calls):
it spools an upload to disk first, hands the store a file object to stream
from, and records the returned :class:`~steerco.domain.evidence.RemoteItem`
in a short transaction of its own. Without a store, files stay in the
instance folder (the default).
"""

from __future__ import annotations

from typing import BinaryIO

from steerco.domain.evidence import RemoteItem
from steerco.plugins.connector import ConnectorError

__all__ = ["EvidenceStore", "ItemUnreadable", "RemoteItem"]


class ItemUnreadable(ConnectorError):
    """The store answered, but this item cannot be read (no permission, deleted, not a file).

    Unlike other :class:`ConnectorError` s it describes the item, not the
    connection: Steerco shows :attr:`problem` on the checklist as the reason.
    """


class EvidenceStore:
    """A document library evidence files are kept in (implemented by a plugin)."""

    #: what the evidence tab calls the place ("SharePoint").
    title: str = ""

    def put(self, stream: BinaryIO, *, name: str, size: int, folder: tuple[str, ...]) -> RemoteItem:
        """Store a file, read from ``stream`` piece by piece (never whole: files may be large).

        :param name: the file's name. :param size: its length in bytes.
        :param folder: path segments under the configured root (node, measure, gate).
        :returns: the stored item (id, web URL, size, version).
        :raises ConnectorError: the file could not be stored.
        """
        raise NotImplementedError

    def item(self, item_id: str) -> RemoteItem:
        """The item as it is now.

        :raises ItemUnreadable: it cannot be read (the reason is shown to people).
        :raises ConnectorError: the store could not be reached.
        """
        raise NotImplementedError

    def resolve(self, url: str) -> RemoteItem:
        """The file a link (as people copy it from the store's pages) points at.

        :raises ItemUnreadable: the link names no file Steerco can read.
        """
        raise NotImplementedError

    def children(self, folder_id: str | None = None, cursor: str | None = None) -> tuple[list[RemoteItem], str | None]:
        """One page of a folder's items (the root when ``folder_id`` is None), for a picker.

        :param cursor: the cursor a previous page returned.
        :returns: the items and the cursor of the next page (None: last page).
        """
        raise NotImplementedError
