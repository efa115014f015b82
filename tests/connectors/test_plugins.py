"""The plugin API: hook specs, the manager factory, operators, isolation of notifications."""

import inspect
import io
import logging
from pathlib import Path

import pytest

from steerco import hookimpl
from steerco.domain.governance import parse_model
from steerco.plugins import hookspecs
from steerco.plugins.connector import Connector, ConnectorSettings
from steerco.plugins.evidence_store import EvidenceStore, RemoteItem
from steerco.plugins.manager import (PluginError, connector_classes, install_operators, make_plugin_manager, notify,
                                     operator_set, plugin_infos)
from steerco.rules import Operator, compile_rule

HOOKS = sorted(n for n, f in inspect.getmembers(hookspecs, inspect.isfunction) if n.startswith("steerco_"))


def double(x):
    return x * 2 if isinstance(x, (int, float)) else None


class Doubler:
    @hookimpl
    def steerco_register_operators(self):
        return [Operator("double_it", double, 1, 1, "twice the number")]


def test_every_hook_is_documented_with_its_contract():
    assert HOOKS == ["steerco_evidence_store", "steerco_on_gate_decided", "steerco_on_measure_created",
                     "steerco_on_review_submitted", "steerco_on_value_changed", "steerco_register_commands",
                     "steerco_register_connectors", "steerco_register_measure_panels", "steerco_register_operators",
                     "steerco_register_web_views"]
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert len(doc) > 40, f"{name} needs a docstring stating its contract"
        assert ":returns:" in doc or ":param" in doc, name


def test_every_hook_has_a_test():
    text = "".join(p.read_text() for p in Path(__file__).parent.glob("test_*.py"))
    for name in HOOKS:
        assert text.count(name) >= 2, f"{name} is not exercised by a test"


def test_hookimpl_is_reexported_from_the_package():
    import steerco.plugins

    assert hookimpl is steerco.plugins.hookimpl


def test_factory_without_entrypoints_registers_only_what_it_is_given():
    pm = make_plugin_manager(entrypoints=False, plugins=[Doubler()])
    assert len(pm.get_plugins()) == 1
    assert connector_classes(pm) == {}


def test_builtin_connectors_are_plugins(pm):
    classes = connector_classes(pm)
    assert "ldap" in classes and classes["ldap"].capabilities == {"directory"}
    infos = {i.name: i for i in plugin_infos(pm)}
    assert "steerco_register_connectors" in infos["steerco_ad"].hooks
    assert infos["steerco_ad"].connectors == ("ldap",)


def test_a_hook_with_a_wrong_name_is_refused_naming_the_plugin():
    class Typo:
        @hookimpl
        def steerco_register_conectors(self):
            return []

    with pytest.raises(PluginError, match="steerco_register_conectors"):
        make_plugin_manager(entrypoints=False, plugins=[Typo()])


def test_a_connector_with_unknown_capabilities_is_refused():
    class Odd(Connector):
        name = "odd"
        title = "Odd"
        capabilities = frozenset({"telepathy"})
        Settings = ConnectorSettings

    class Plugin:
        @hookimpl
        def steerco_register_connectors(self):
            return [Odd]

    with pytest.raises(PluginError, match="telepathy"):
        connector_classes(make_plugin_manager(entrypoints=False, plugins=[Plugin()]))


def test_plugin_operator_works_in_a_criterion():
    ops = operator_set(make_plugin_manager(entrypoints=False, plugins=[Doubler()]))
    model = parse_model({
        "code": "m", "levels": [{"doi": 0, "name": "Defined"}, {"doi": 1, "name": "Identified"}],
        "gates": [{"doi": 1, "name": "Identified", "must_meet": [
            {"code": "doubled", "label": "Doubled potential above 100", "rule": {">": [{"double_it": {"var": "potential"}}, 100]},
             "explanation": "potential too small"}]}],
    }, operators=ops)
    criterion = model.gate_for(1).must_meet[0]
    assert criterion.compiled.check({"potential": 60}).passed
    assert not criterion.compiled.check({"potential": 40}).passed


def test_operator_shadowing_a_builtin_is_refused_naming_the_plugin():
    class Bad:
        @hookimpl
        def steerco_register_operators(self):
            return [Operator("var", double, 1, 1, "")]

    with pytest.raises(PluginError, match="shadow"):
        operator_set(make_plugin_manager(entrypoints=False, plugins=[Bad()]))


def test_install_operators_is_idempotent_and_reaches_default_compilation():
    pm = make_plugin_manager(entrypoints=False, plugins=[Doubler()])
    install_operators(pm)
    install_operators(pm)
    assert compile_rule({"double_it": 21}).apply({}) == 42


def test_failing_notification_is_isolated_and_logged(caplog):
    seen = []

    class Broken:
        @hookimpl
        def steerco_on_gate_decided(self, review, measure, actor):
            raise RuntimeError("plugin bug")

    class Listener:
        @hookimpl
        def steerco_on_gate_decided(self, review, measure, actor):
            seen.append((review["decision"], measure["code"], actor))

        @hookimpl
        def steerco_on_measure_created(self, measure, actor):
            seen.append(("created", measure["code"], actor))

        @hookimpl
        def steerco_on_review_submitted(self, review, measure, actor):
            seen.append(("submitted", measure["code"], actor))

        @hookimpl
        def steerco_on_value_changed(self, measure, changes, actor):
            seen.append(("value", measure["code"], sorted(changes)))

    pm = make_plugin_manager(entrypoints=False, plugins=[Broken(), Listener()])
    with caplog.at_level(logging.ERROR):
        failed = notify(pm, "steerco_on_gate_decided", review={"decision": "go"}, measure={"code": "M-1"},
                        actor="bob")
    notify(pm, "steerco_on_measure_created", measure={"code": "M-2"}, actor="alice")
    notify(pm, "steerco_on_review_submitted", review={}, measure={"code": "M-2"}, actor="alice")
    notify(pm, "steerco_on_value_changed", measure={"code": "M-2"}, changes={"target": [1, 2]}, actor="carol")
    assert len(failed) == 1
    assert ("go", "M-1", "bob") in seen and ("created", "M-2", "alice") in seen
    assert ("submitted", "M-2", "alice") in seen and ("value", "M-2", ["target"]) in seen
    assert "failed in steerco_on_gate_decided" in caplog.text


class Hello:
    """A third-party plugin adding an API route and a block on the measure page."""

    @hookimpl
    def steerco_register_web_views(self):
        from flask import jsonify
        from flask_appbuilder.api import expose

        from steerco_admin.api.base import SteercoApi, authenticated

        class HelloApi(SteercoApi):
            resource_name = "hello"

            @expose("/<int:measure_id>", methods=["GET"])
            @authenticated
            def greet(self, measure_id):
                """Greet a measure.
                ---
                get:
                  summary: Greet a measure
                  responses:
                    200: {description: a greeting}
                """
                return jsonify({"hello": measure_id})

        return [HelloApi]

    @hookimpl
    def steerco_register_measure_panels(self):
        from steerco.plugins.panels import MeasurePanel

        return [MeasurePanel("plan", "hello.html", lambda uow, measure_id: {"greeting": f"hello {measure_id}"})]


def test_web_views_and_measure_panels_are_gathered_from_every_plugin(pm):
    from steerco.plugins.panels import measure_panels, web_views

    both = make_plugin_manager(entrypoints=False, plugins=[Hello(), *pm.get_plugins()])
    assert {cls.__name__ for cls in web_views(both)} >= {"HelloApi", "MSProjectApi", "MSProjectPage"}
    panels = {p.template: p for p in measure_panels(both)}
    assert panels["hello.html"].tab == "plan" and panels["hello.html"].data(None, 7) == {"greeting": "hello 7"}
    assert panels["steerco_msproject/panel.html"].tab == "plan"
    assert web_views(None) == [] and measure_panels(None) == []


def test_a_plugin_api_is_served_and_documented_in_the_openapi(portfolio, settings):
    from api.conftest import Api
    from steerco_admin.accounts import ensure_login
    from steerco_admin.app import create_app

    app = create_app(settings, store=portfolio, plugins=make_plugin_manager(entrypoints=False, plugins=[Hello()]),
                     TESTING=True, FAB_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000")
    ensure_login(app, "alice", "alice-pw")
    api = Api(app.test_client())
    assert api.get("/api/v1/hello/5", user="alice").get_json() == {"hello": 5}
    assert "/api/v1/hello/{measure_id}" in api.get("/api/v1/_openapi", user="alice").get_json()["paths"]


class ShelfSettings(ConnectorSettings):
    pass


class Shelf(Connector):
    """A document store in memory: what any plugin's ``steerco_evidence_store`` may return."""

    name, title, capabilities, Settings = "shelf", "Shelf", frozenset({"documents"}), ShelfSettings
    kept: dict = {}


class ShelfStore(EvidenceStore):
    def put(self, stream, *, name, size, folder):
        data = stream.read()
        assert len(data) == size
        item = RemoteItem(f"shelf-{len(Shelf.kept)}", name, f"https://shelf.example/{'/'.join(folder)}/{name}",
                          size, "v1", None)
        Shelf.kept[item.item_id] = data
        return item


class ShelfPlugin:
    @hookimpl
    def steerco_register_connectors(self):
        return [Shelf]

    @hookimpl
    def steerco_evidence_store(self, connector):
        return ShelfStore() if isinstance(connector, Shelf) else None


def test_steerco_evidence_store_receives_uploads_while_its_connector_is_enabled(portfolio, tmp_path):
    from steerco.services.governance import measures
    from steerco.services.integration import connectors, remote_evidence

    pm = make_plugin_manager(entrypoints=False, plugins=[ShelfPlugin()])
    mid = portfolio.run("admin", lambda uow: measures.create(
        uow, {"title": "Shelved", "node": "PA", "type": "cost", "owner": "alice"}).id)

    def attach(name):
        return remote_evidence.upload(portfolio, pm, "alice", mid, "business_case", name, io.BytesIO(b"case"),
                                      tmp_path)

    assert attach("first.pdf")["location"] == {"store": "local"}
    portfolio.run("admin", lambda uow: connectors.save_config(uow, pm, "shelf", "shelf", {}))
    ev = attach("second.pdf")
    assert ev["location"]["store"] == "shelf"
    assert ev["location"]["web_url"] == "https://shelf.example/PA/M-0001/Detailed/second.pdf"
    assert Shelf.kept[ev["location"]["item_id"]] == b"case"
    portfolio.run("admin", lambda uow: connectors.save_config(uow, pm, "shelf", "shelf", {}, enabled=False))
    assert attach("third.pdf")["location"] == {"store": "local"}
