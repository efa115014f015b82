"""The hooks a Steerco plugin may implement. This module *is* the plugin API.

Conventions: every hook is named ``steerco_*``; a ``register_*`` hook returns a
list (pluggy gathers one list per plugin); an ``on_*`` hook is a notification
called after the change it reports was committed. Notifications receive plain
JSON-ready views (the measure or review as the REST API shows it) and the actor
explicitly, never a request, a database session or a user object; they must
not raise: a failure is logged with the plugin's name and never undoes or blocks
the change (a failing plugin cannot break a gate transaction).
"""

from __future__ import annotations

from steerco.plugins import hookspec


# -- extension points -----------------------------------------------------------

@hookspec
def steerco_register_connectors() -> list:
    """Return the connector classes this plugin provides.

    :returns: subclasses of :class:`steerco.plugins.connector.Connector`, one
        per external system; each declares its ``name``, its ``capabilities``
        and its ``Settings`` schema. Names must be unique across plugins.
    """


@hookspec
def steerco_register_operators() -> list:
    """Return extra JsonLogic operators that gate criteria and trigger rules may call.

    :returns: :class:`steerco.rules.Operator` tuples
        ``Operator(name, fn, min_args, max_args, doc)``. ``fn`` receives the
        evaluated arguments as JSON values and returns a JSON value; it must be
        pure and fast. A name that shadows a built-in operator, or that another
        plugin already registered, is refused with an error naming this plugin.
    """


# -- notifications (post-commit) --------------------------------------------------

@hookspec
def steerco_on_measure_created(measure: dict, actor: str) -> None:
    """Called after a new measure was committed.

    :param measure: the measure as ``GET /api/v1/measures/<id>`` shows it.
    :param actor: the username who created it (``system`` for triggers).
    """


@hookspec
def steerco_on_review_submitted(review: dict, measure: dict, actor: str) -> None:
    """Called after a measure was submitted at a gate and the review committed.

    :param review: the gate review as the API shows it (gate, steps, results).
    :param measure: the measure after submission.
    :param actor: the username who submitted.
    """


@hookspec
def steerco_on_gate_decided(review: dict, measure: dict, actor: str) -> None:
    """Called after a gate decision (go, conditional go, hold, recycle, kill) was committed.

    :param review: the decided review; ``review["decision"]`` is the decision.
    :param measure: the measure after the decision (its new DoI).
    :param actor: the username whose vote decided, or ``system``.
    """


@hookspec
def steerco_on_value_changed(measure: dict, changes: dict, actor: str) -> None:
    """Called after a measure's value figures changed and were committed.

    Called for edits of the measure's figures, for amounts written in the
    value grid or by an approved change request, and once per measure for an
    import of actuals (a file, or a sync of an ERP connector such as SAP, whose actor is
    ``connector:<name>``).

    :param measure: the measure after the change.
    :param changes: what changed, amounts as decimal text (None: no amount):

        - ``{field: [before, after]}`` for the measure's own figures
          (``potential``, ``baseline``, ``target``, ``currency``);
        - ``{"amounts": [{"line", "version", "period", "before", "after"}]}``
          for amounts per value line, version (plan, forecast, actual) and
          period (``YYYY-MM``).
    :param actor: the username who changed them.
    """


# -- evidence ---------------------------------------------------------------------

@hookspec(firstresult=True)
def steerco_evidence_store(connector):
    """Return the document store a configured connector keeps evidence files in, or None.

    Steerco asks for each enabled connector configuration whose connector
    declares the ``documents`` capability (in name order) and stores new
    uploads in the first store it gets; with none, files stay in the instance
    folder. Stores are called outside any database transaction.

    :param connector: a configured :class:`~steerco.plugins.connector.Connector`
        instance, settings loaded.
    :returns: an :class:`~steerco.plugins.evidence_store.EvidenceStore`, or
        None when this plugin has no store for that connector.
    """


# -- the web app ------------------------------------------------------------------

@hookspec
def steerco_register_web_views() -> list:
    """Return Flask-AppBuilder classes the web app registers when it starts.

    :returns: API classes (subclasses of ``steerco_admin.api.base.SteercoApi``, served
        under ``/api/v1/<resource_name>`` and documented in the OpenAPI like Steerco's
        own routes) and page classes (subclasses of ``steerco_admin.views.base.Page``,
        registered without a menu entry). Like Steerco's own, they only translate a
        request into a service call; rights are checked by the services.
    """


@hookspec
def steerco_register_measure_panels() -> list:
    """Return panels the measure page shows inside one of its tabs.

    :returns: :class:`steerco.plugins.panels.MeasurePanel` tuples
        ``MeasurePanel(tab, template, data)``: ``tab`` is the tab's key (``plan`` is
        "Milestones & risks"), ``template`` a Jinja template the plugin's pages make
        findable (``template_folder``), ``data(uow, measure_id) -> dict`` what the
        template gets as ``panel``; it runs in the page's read-only unit of work, for the
        logged-in user, and must respect what that user may see.
    """


# -- the command line -------------------------------------------------------------

@hookspec
def steerco_register_commands() -> list:
    """Return click commands (or groups) to add to the ``steerco`` command.

    :returns: ``click.Command`` objects, found on first use of a name Steerco does
        not have itself; a name Steerco or another plugin already uses is ignored
        with a warning. A command reaches the store through
        ``click.get_current_context().ensure_object(steerco.cli.main.Context).store``.
    """
