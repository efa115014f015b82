"""What the service's ``$metadata`` says about the configured entity set, and the settings checked against it.

pyodata models the properties and SAP's ``sap:filterable``; the OData V4
``Capabilities.FilterRestrictions`` annotation (newer SAP releases state
restrictions there) and the entity's ``sap:semantics="aggregate"`` are read
here from the same document.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

from steerco.domain.errors import ValidationFailed

_SAP = "{http://www.sap.com/Protocols/SAPData}"
_V4 = "{http://docs.oasis-open.org/odata/ns/edm}"
AMOUNT_TYPES = ("Edm.Decimal", "Edm.Double", "Edm.Int32", "Edm.Int64")
FILTERED = ("company_code", "ledger", "fiscal_year", "fiscal_period")


@dataclass(frozen=True)
class Prop:
    type: str
    filterable: bool


@dataclass(frozen=True)
class Entity:
    set_name: str
    type_name: str
    props: dict
    aggregate: bool

    def literal(self, service, name: str, value: str) -> str:
        """``value`` as an OData literal of property ``name`` (pyodata's formatting)."""
        return service.schema.entity_set(self.set_name).entity_type.proprty(name).to_literal(value)


def describe(service, metadata: bytes, entity_set: str) -> Entity:
    """The entity set ``entity_set`` of a pyodata ``service`` built from ``metadata``.

    :raises ValidationFailed: ``settings.entity_set`` names no entity set of the service.
    """
    names = sorted(es.name for es in service.schema.entity_sets)
    if entity_set not in names:
        raise ValidationFailed({"settings.entity_set": [
            f"'{entity_set}' is not an entity set of the service; it has {', '.join(names) or 'none'}"]})
    et = service.schema.entity_set(entity_set).entity_type
    restricted, aggregate = _annotations(metadata, entity_set, et.name)
    props = {p.name: Prop(p.typ.name, bool(p.filterable) and p.name not in restricted) for p in et.proprties()}
    return Entity(entity_set, et.name, props, aggregate)


def check(entity: Entity, settings: dict) -> None:
    """Every field the settings name must be a property of the entity; those filtered on must be filterable.

    :raises ValidationFailed: ``settings.fields.<role>`` naming the property and what is wrong.
    """
    errors: dict[str, list[str]] = {}
    for role, name in settings["field_names"].items():
        if not name:
            continue
        key = f"settings.fields.{role}"
        prop = entity.props.get(name)
        if prop is None:
            errors[key] = [f"'{name}' is not a property of {entity.type_name} ({entity.set_name})"]
        elif role in FILTERED and not prop.filterable:
            errors[key] = [f"'{name}' cannot be filtered in {entity.set_name}, and the connector filters on it"]
        elif role == "amount" and prop.type not in AMOUNT_TYPES:
            errors[key] = [f"'{name}' is {prop.type}, not an amount ({', '.join(AMOUNT_TYPES)})"]
        elif role != "amount" and prop.type != "Edm.String":
            errors[key] = [f"'{name}' is {prop.type}; the connector reads keys as Edm.String"]
    if errors:
        raise ValidationFailed(errors, f"connector settings do not match the service's $metadata "
                                       f"({entity.set_name})")


def _annotations(metadata: bytes, entity_set: str, type_name: str) -> tuple[set[str], bool]:
    """Properties ``Capabilities.FilterRestrictions`` makes non-filterable, and whether the type aggregates."""
    try:
        root = ET.fromstring(metadata)
    except ET.ParseError:
        return set(), False
    restricted: set[str] = set()
    for annotations in root.iter(f"{_V4}Annotations"):
        if not (annotations.get("Target") or "").endswith("/" + entity_set):
            continue
        for a in annotations.iter(f"{_V4}Annotation"):
            if a.get("Term", "").endswith("FilterRestrictions"):
                restricted.update(p.text for p in a.iter(f"{_V4}PropertyPath") if p.text)
    aggregate = any(e.get("Name") == type_name and e.get(f"{_SAP}semantics") == "aggregate"
                    for e in root.iter() if e.tag.endswith("}EntityType"))
    return restricted, aggregate
