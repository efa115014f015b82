"""Evidence files in a connector's document store (SharePoint...): upload, link, browse, check.

Every call to the store happens outside a unit of work, so a slow or failing
library never holds a measure's row or a gate's transaction. An upload
therefore runs in three steps: check the actor may attach (a read-only unit),
spool and send the file (no unit), record the stored item (a short unit that
checks the rights again). If that last unit fails, the file stays in the
library unrecorded; Steerco never deletes from a client's library.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

from steerco.domain.errors import ValidationFailed
from steerco.plugins.evidence_store import EvidenceStore, ItemUnreadable
from steerco.plugins.manager import connector_classes
from steerco.services.access import editable_measure
from steerco.services.governance import evidence
from steerco.services.integration import connectors


def active_store(store, pm, env=None) -> tuple[str, EvidenceStore] | None:
    """The document store new evidence files go to: the first enabled configuration (by name) that offers one.

    :returns: ``(configuration name, store)``, or None: files stay in the instance folder.
    """
    if pm is None:
        return None
    classes = connector_classes(pm)
    for cfg in store.run("system", connectors.configs, readonly=True):
        cls = classes.get(cfg["connector"])
        if not cfg["enabled"] or cls is None or "documents" not in cls.capabilities:
            continue
        found = pm.hook.steerco_evidence_store(connector=cls(cls.load_settings(cfg["settings"], env)))
        if found is not None:
            return cfg["name"], found
    return None


def document_configs(uow, pm) -> list[str]:
    """The enabled configurations of ``documents`` connectors, by name (read only: no call to a store)."""
    if pm is None:
        return []
    classes = connector_classes(pm)
    return [c["name"] for c in connectors.configs(uow) if c["enabled"] and c["connector"] in classes
            and "documents" in classes[c["connector"]].capabilities]


def store_name(uow, pm) -> str | None:
    """The configuration a page should offer for linking stored files: the first enabled ``documents`` one."""
    return next(iter(document_configs(uow, pm)), None)


def _required_store(store, pm, env=None) -> tuple[str, EvidenceStore]:
    found = active_store(store, pm, env)
    if found is None:
        raise ValidationFailed({"store": ["no document store is configured (set up the SharePoint connector)"]})
    return found


def upload(store, pm, actor: str, measure_id: int, requirement: str, filename: str, stream: BinaryIO,
           spool_dir: Path, *, content_type: str = "", max_bytes: int = 25 << 20, env=None) -> dict:
    """Attach a file: to the active document store, or the instance folder when there is none.

    :returns: the evidence as the API shows it.
    :raises ConnectorError: the store refused or could not be reached (nothing recorded).
    """
    from steerco.services.views import evidence_view

    found = active_store(store, pm, env)
    if found is None:
        return store.run(actor, lambda uow: evidence_view(evidence.attach_file(
            uow, measure_id, requirement, filename, stream, spool_dir, content_type=content_type,
            max_bytes=max_bytes)))
    name, remote = found
    folder = store.run(actor, lambda uow: evidence.folder_for(uow, measure_id, requirement), readonly=True)
    filename = evidence.safe_name(filename)
    digest, size, tmp = evidence.spool(stream, spool_dir, max_bytes)
    try:
        with open(tmp, "rb") as f:
            item = remote.put(f, name=filename, size=size, folder=folder)
    finally:
        os.unlink(tmp)
        _close(remote)
    return store.run(actor, lambda uow: evidence_view(evidence.attach_stored(
        uow, measure_id, requirement, name, item, sha256=digest, content_type=content_type)))


def link(store, pm, actor: str, measure_id: int, requirement: str, *, url: str | None = None,
         item_id: str | None = None, env=None) -> dict:
    """Attach a file that already lives in the document store, by its link or its item id (from the picker).

    :raises ValidationFailed: neither given, or the item cannot be read (with the store's reason).
    """
    from steerco.services.views import evidence_view

    if not (url or item_id):
        raise ValidationFailed({"url": ["give the file's link or pick it (item_id)"]})
    name, remote = _required_store(store, pm, env)
    store.run(actor, lambda uow: evidence.folder_for(uow, measure_id, requirement), readonly=True)
    try:
        item = remote.item(item_id) if item_id else remote.resolve(url)
    except ItemUnreadable as e:
        raise ValidationFailed({"item_id" if item_id else "url": [f"Steerco cannot read this file: {e.problem}"]})
    finally:
        _close(remote)
    return store.run(actor, lambda uow: evidence_view(evidence.attach_stored(uow, measure_id, requirement, name, item)))


def browse(store, pm, actor: str, measure_id: int, folder_id: str | None = None, cursor: str | None = None,
           env=None) -> dict:
    """One page of a folder of the document store, for picking a file to link to ``measure_id``.

    Only someone who may attach evidence to that measure may look: the library
    may hold far more than any one person should see listed.

    :returns: ``{"store", "items": [{id, name, folder, size, web_url}], "next"}``; ``next`` is the cursor of the
        following page (None: the last).
    """
    store.run(actor, lambda uow: editable_measure(uow, measure_id) and None, readonly=True)
    name, remote = _required_store(store, pm, env)
    try:
        items, nxt = remote.children(folder_id, cursor)
    except ItemUnreadable as e:
        raise ValidationFailed({"folder": [e.problem]})
    finally:
        _close(remote)
    return {"store": name, "items": [{"id": i.item_id, "name": i.name, "folder": i.folder, "size": i.size,
                                      "web_url": i.web_url} for i in items], "next": nxt}


def check_items(store, config_name: str, remote: EvidenceStore) -> dict[str, int]:
    """Look at every file kept in ``remote`` and record a new version or that it cannot be read.

    A change of either re-checks the measure's open review, which voids its
    votes like any other change of what the gate read.

    :returns: counts: ``updated`` (changed, unreadable or readable again), ``unchanged``, ``created`` (always 0).
    :raises ConnectorError: the store could not be reached (not an item's problem).
    """
    items = store.run("system", lambda uow: evidence.stored_items(uow, config_name), readonly=True)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for evidence_id, item_id in items:
        try:
            found, problem = remote.item(item_id), None
        except ItemUnreadable as e:
            found, problem = None, e.problem
        changed = store.run(f"connector:{config_name}", lambda uow: evidence.observe(uow, evidence_id, found, problem))
        counts["updated" if changed else "unchanged"] += 1
    return counts


def _close(remote) -> None:
    close = getattr(remote, "close", None)
    if close is not None:
        close()

