"""Export, diff and apply of configuration bundles on behalf of a person (the API and the pages).

The command line runs as the system; here the actor must configure Steerco
(admins and consultants), and every change is recorded under their name.
"""

from __future__ import annotations

import hashlib

import yaml

from steerco.domain.errors import ValidationFailed
from steerco.services.configuration import bundle, diff, export
from steerco.services.configuration.drafts import require_configurer

LIVE = "live"


def export_text(uow, *, with_nodes: bool = False, with_people: bool = False) -> str:
    """The bundle of the instance as YAML. :raises PermissionDenied: not an admin or consultant."""
    require_configurer(uow)
    return export.dump(export.export(uow, with_nodes=with_nodes, with_people=with_people))


def parse(text, where: str) -> dict:
    """A bundle from YAML text (JSON is YAML too). :raises ValidationFailed: naming ``where``, line and column."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed({where: ["a bundle as YAML text"]})
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ValidationFailed({where: [f"not valid YAML{at}: {getattr(e, 'problem', e)}"]}) from None
    if not isinstance(data, dict):
        raise ValidationFailed({where: ["the bundle must be a mapping at the top level"]})
    return data


def compare(uow, before, after, *, with_nodes: bool = False, with_people: bool = False) -> list[dict]:
    """The changes from ``before`` to ``after``, each YAML text or ``"live"`` for this instance.

    :returns: :func:`~steerco.services.configuration.diff.bundle_diff` lines, each with its ``text``.
    """
    require_configurer(uow)
    sides = [export.export(uow, with_nodes=with_nodes, with_people=with_people) if side == LIVE else parse(side, name)
             for side, name in ((before, "before"), (after, "after"))]
    return [{**line, "text": diff.as_text(line)} for line in diff.bundle_diff(*sides)]


def apply_text(store, actor: str, text, *, name: str = "bundle.yaml", dry_run: bool = False) -> dict:
    """Apply a bundle given as YAML text, all or nothing; ``dry_run`` reports and rolls back.

    :returns: the apply report, with ``sha256`` of the text and ``dry_run``.
    :raises ConfigProblems: every problem, nothing applied. :raises PermissionDenied: not a configurer.
    """
    data = parse(text, "bundle")
    source = {"file": name, "sha256": hashlib.sha256(text.encode()).hexdigest()}

    def work(uow):
        require_configurer(uow)
        return {**bundle.apply(uow, data, source=source).as_dict(), "sha256": source["sha256"], "dry_run": dry_run}

    if not dry_run:
        return store.run(actor, work)
    with store.unit(actor) as uow:  # rolled back on leaving: nothing is written
        return work(uow)
