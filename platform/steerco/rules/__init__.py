"""Gate criteria as JsonLogic rules: validate, compile, evaluate, check.

Imports only the standard library. Semantics are the reference JsonLogic's
(json-logic-js 2.0.5): the same values for the same rule and data, checked
against the official suite and about 1,400 cases of other engines' suites on
which json-logic-js agrees (``tests/rules/test_conformance*.py``). The few
deliberate differences, where a gate is safer refusing than coercing, are
listed in ``docs/rules.md``.

Operators a rule may call
    The JsonLogic operators of the official suite, and nothing else built in:
    ``var missing missing_some if ?: and or ! !! == === != !== > >= < <=
    + - * / % min max map filter reduce all some none merge in cat substr``;
    plus those of an :class:`OperatorSet` (``days_since``, ``days_until`` by
    default; plugins add more). Other engines' extras (``val``, ``??``,
    ``throw``, ``log``...) are unknown operators. A registered operator may not
    take the name of a built-in or a reserved name.

Caps (checked before a rule is compiled or evaluated)
    rule: :data:`RULE_MAX_DEPTH` nested containers, :data:`RULE_MAX_BYTES` of
    JSON; facts: :data:`FACTS_MAX_DEPTH`, :data:`FACTS_MAX_BYTES`; each
    evaluation: :data:`WORK_BUDGET` operations (iterators charge for the items
    they walk, text and array building for the size they build, before they
    do it). Facts the platform built (:class:`PlatformFacts`, shallow by
    construction) skip the depth walk; the other caps still apply.

Null-strict ``check`` (criteria), unlike :func:`evaluate` (plain JsonLogic)
    When an evaluated comparison or arithmetic operator
    (``== != === !== in < <= > >= + - * / % min max``) has a var operand that is
    missing or null (or ``""`` for the ordering and arithmetic ones, which
    JsonLogic reads as 0), the check does not pass. Not strict: a var with a
    default (``{"var": ["x", 0]}``); a comparison with a literal ``null``
    operand (an explicit null test); anything inside an ``if`` condition;
    ``!``, ``!!``, ``missing``, ``missing_some``; a branch the rule does not
    take. Vars inside ``all``/``some``/``map``... are checked per item and
    reported as ``milestones.*.due``. When a check fails for any reason,
    ``missing`` lists the paths the rule reads that are missing, null or
    ``""``. A rule failing on the facts (division by zero, a list compared
    with a number...) does not pass; exceeding the work budget raises
    :class:`RuleError`.

Hot path
    ``handle = facts_handle(facts)`` once per measure, then
    ``compiled.check_handle(handle)`` per criterion, or a gate's criteria
    through one :class:`CheckBatch` (``tests/benchmarks/bench_rules.py`` and
    ``bench_gates.py`` measure them).
"""

from steerco.rules.batch import CheckBatch
from steerco.rules.engine import (Check, CompiledRule, FactsHandle, compile_rule, default_operators, evaluate,
                                  facts_handle)
from steerco.rules.errors import FactsError, RuleError
from steerco.rules.facts import PlatformFacts, is_platform_facts
from steerco.rules.guards import FACTS_MAX_BYTES, FACTS_MAX_DEPTH, RULE_MAX_BYTES, RULE_MAX_DEPTH, WORK_BUDGET
from steerco.rules.operators import JSONLOGIC_OPERATORS, Operator, OperatorSet, days_since, days_until

__all__ = [
    "Check", "CheckBatch", "CompiledRule", "FactsHandle", "compile_rule", "default_operators", "evaluate",
    "facts_handle",
    "FactsError", "RuleError", "PlatformFacts", "is_platform_facts",
    "FACTS_MAX_BYTES", "FACTS_MAX_DEPTH", "RULE_MAX_BYTES", "RULE_MAX_DEPTH", "WORK_BUDGET",
    "JSONLOGIC_OPERATORS", "Operator", "OperatorSet", "days_since", "days_until",
]
