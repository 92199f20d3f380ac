"""A small, safe expression language for form conditions, constraints, computed values and rules.

Expressions are parsed with :mod:`ast` and then interpreted node by node against a strict
whitelist; nothing is ever compiled or passed to ``eval``. Evaluation never raises: values of the
wrong kind make comparisons false and arithmetic ``null``.

Grammar (Python syntax, restricted)::

    expr     := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum)*
    sum      := unary (("+" | "-") unary)*
    unary    := "-" unary | atom
    atom     := NAME | INT | STRING | "true" | "false" | "null" | "[" expr, ... "]"
              | FUNC "(" args ")" | "(" expr ")"

Functions: ``count(list)``, ``count(group, cond)``, ``any(group, cond)``, ``all(group, cond)``,
``answered(x)``, ``age(date)`` / ``years_since(date)``, ``months_since(date)``,
``days_since(date)``. In ``cond`` the names of the group's sub-fields refer to the current item.
The ``*_since`` functions count whole units from the date (its earliest day) to the day the form
is evaluated for (``Scope.today``), ``null`` for a date after it: ``days_since(d) > 0`` holds
from the day after ``d`` on (a card valid through ``d`` has expired).

A function added here is refused by the loader of an older version: a form using it must not
be published to such laptops as if they could read it (``FUNCTION_FORMATS``).
"""

from __future__ import annotations

import ast
import datetime as dt
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from desktop_app.domain.dates import PartialDate, PartialDateError, whole_years

MAX_SOURCE_LENGTH = 500
MAX_NODES = 300

CONSTANTS: dict[str, Any] = {"true": True, "false": False, "null": None}

# name -> (min args, max args, second argument is evaluated per item of the first)
FUNCTIONS: dict[str, tuple[int, int, bool]] = {
    "count": (1, 2, True),
    "any": (2, 2, True),
    "all": (2, 2, True),
    "answered": (1, 1, False),
    "age": (1, 1, False),
    "years_since": (1, 1, False),
    "months_since": (1, 1, False),
    "days_since": (1, 1, False),
}

# The publication format (``usecases.reference.PUBLICATION_FORMAT``) from which on a function
# is known; one not listed is known to every version that states a format (format 1).
FUNCTION_FORMATS: dict[str, int] = {"days_since": 2}

RESERVED_NAMES = frozenset(CONSTANTS) | frozenset(FUNCTIONS) | {"and", "or", "not", "in"}

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Compare,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
    ast.In,
    ast.NotIn,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Call,
)


class ExpressionError(ValueError):
    """An expression that is not part of the language; the message says what is wrong."""


@dataclass(frozen=True)
class Reference:
    """A name used in an expression; ``group`` is set when it is read per item of that group."""

    name: str
    group: str | None = None


@dataclass(frozen=True)
class LiteralComparison:
    """``name == 'x'``, ``'x' in name`` or ``name in ['x', 'y']``; lets the loader check
    that the literal is an option of the field."""

    name: str
    group: str | None
    literal: str


class Scope:
    """Values visible to an expression; an item scope sees its item first, then its parent."""

    __slots__ = ("parent", "today", "values")

    def __init__(
        self, values: Mapping[str, Any], today: dt.date, parent: Scope | None = None
    ) -> None:
        self.values = values
        self.today = today
        self.parent = parent

    def lookup(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        if self.parent is not None:
            return self.parent.lookup(name)
        return None

    def item(self, values: Mapping[str, Any]) -> Scope:
        return Scope(values, self.today, self)


class Expression:
    """A parsed expression. Create with :func:`parse`; evaluate with :meth:`evaluate`."""

    __slots__ = ("_tree", "source")

    def __init__(self, source: str, tree: ast.expr) -> None:
        self.source = source
        self._tree = tree

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"

    def evaluate(self, scope: Scope) -> Any:
        return _eval(self._tree, scope)

    def truthy(self, scope: Scope) -> bool:
        return bool(_eval(self._tree, scope))

    def references(self) -> list[Reference]:
        """Every field/computed name the expression reads, with the group it is read in."""
        return list(_references(self._tree, None))

    def literal_comparisons(self) -> list[LiteralComparison]:
        return list(_literal_comparisons(self._tree, None))

    def functions(self) -> frozenset[str]:
        """The names of the functions the expression calls."""
        return frozenset(
            n.func.id
            for n in ast.walk(self._tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        )


def parse(source: str) -> Expression:
    """Parse ``source`` or raise :class:`ExpressionError` naming the problem."""
    if not isinstance(source, str):
        raise ExpressionError("an expression must be a string")
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_LENGTH} characters")
    if not source.strip():
        raise ExpressionError("empty expression")
    try:
        module = ast.parse(source.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise ExpressionError(f"cannot parse expression {source!r}: {exc}") from None
    for nodes, node in enumerate(ast.walk(module), 1):
        if nodes > MAX_NODES:
            raise ExpressionError(f"expression {source!r} is too complex")
        if not isinstance(node, _ALLOWED_NODES):
            raise ExpressionError(
                f"{type(node).__name__} is not allowed in expressions ({source!r})"
            )
        if isinstance(node, ast.Constant) and not (
            node.value is None or isinstance(node.value, (str, int))
        ):
            raise ExpressionError(f"constant {node.value!r} is not allowed ({source!r})")
        if isinstance(node, ast.Call):
            _check_call(node, source)
        # a bare function name used as a value, e.g. `count > 1`
        if (
            isinstance(node, ast.Name)
            and node.id in FUNCTIONS
            and not _is_call_target(module, node)
        ):
            raise ExpressionError(f"function {node.id!r} must be called ({source!r})")
    return Expression(source, module.body)


def _is_call_target(module: ast.AST, name: ast.Name) -> bool:
    return any(isinstance(n, ast.Call) and n.func is name for n in ast.walk(module))


def _check_call(node: ast.Call, source: str) -> None:
    if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
        raise ExpressionError(
            f"unknown function in {source!r}; known: {', '.join(sorted(FUNCTIONS))}"
        )
    if node.keywords:
        raise ExpressionError(f"keyword arguments are not allowed ({source!r})")
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise ExpressionError(f"starred arguments are not allowed ({source!r})")
    low, high, per_item = FUNCTIONS[node.func.id]
    if not low <= len(node.args) <= high:
        wanted = str(low) if low == high else f"{low} or {high}"
        raise ExpressionError(
            f"{node.func.id}() takes {wanted} argument(s), got {len(node.args)} ({source!r})"
        )
    if per_item and len(node.args) == 2 and not isinstance(node.args[0], ast.Name):
        raise ExpressionError(
            f"the first argument of {node.func.id}() must be the name of a repeatable group "
            f"({source!r})"
        )


# ---------------------------------------------------------------------------------------------
# static walks


def _references(node: ast.AST, group: str | None) -> Iterator[Reference]:
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            yield Reference(node.id, group)
        return
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        _, _, per_item = FUNCTIONS[node.func.id]
        if per_item and len(node.args) == 2:
            first, cond = node.args
            yield from _references(first, group)
            assert isinstance(first, ast.Name)
            yield from _references(cond, first.id)
            return
        for arg in node.args:
            yield from _references(arg, group)
        return
    for child in ast.iter_child_nodes(node):
        yield from _references(child, group)


def _string_literals(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.List):
        out = []
        for elt in node.elts:
            if not (isinstance(elt, ast.Constant) and isinstance(elt.value, str)):
                return None
            out.append(elt.value)
        return out
    return None


def _literal_comparisons(node: ast.AST, group: str | None) -> Iterator[LiteralComparison]:
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        _, _, per_item = FUNCTIONS[node.func.id]
        if per_item and len(node.args) == 2 and isinstance(node.args[0], ast.Name):
            yield from _literal_comparisons(node.args[1], node.args[0].id)
            return
    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        for left, right in itertools.pairwise(operands):
            for name_node, other in ((left, right), (right, left)):
                if isinstance(name_node, ast.Name) and name_node.id not in CONSTANTS:
                    for literal in _string_literals(other) or []:
                        yield LiteralComparison(name_node.id, group, literal)
    for child in ast.iter_child_nodes(node):
        yield from _literal_comparisons(child, group)


# ---------------------------------------------------------------------------------------------
# interpretation


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return None


def _ordered(op: ast.cmpop, left: Any, right: Any) -> bool:
    comparable = (_number(left) is not None and _number(right) is not None) or (
        isinstance(left, str) and isinstance(right, str)
    )
    if not comparable:
        return False
    if isinstance(op, ast.Lt):
        return bool(left < right)
    if isinstance(op, ast.LtE):
        return bool(left <= right)
    if isinstance(op, ast.Gt):
        return bool(left > right)
    return bool(left >= right)


def _contains(item: Any, container: Any) -> bool:
    if isinstance(container, list):
        return item in container
    if isinstance(container, str) and isinstance(item, str):
        return item in container
    return False


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return type(left) is type(right) and bool(left == right)
    if isinstance(op, ast.NotEq):
        return not _compare(ast.Eq(), left, right)
    if isinstance(op, ast.In):
        return _contains(left, right)
    if isinstance(op, ast.NotIn):
        return not _contains(left, right)
    return _ordered(op, left, right)


def _partial_date(value: Any) -> PartialDate | None:
    if not isinstance(value, str):
        return None
    try:
        return PartialDate.parse(value)
    except PartialDateError:
        return None


def _years_since(value: Any, today: dt.date) -> int | None:
    date = _partial_date(value)
    if date is None:
        return None
    start = date.earliest()
    years = whole_years(start, today)
    return years if years >= 0 else None


def _months_since(value: Any, today: dt.date) -> int | None:
    date = _partial_date(value)
    if date is None:
        return None
    start = date.earliest()
    months = (today.year - start.year) * 12 + today.month - start.month
    months -= today.day < start.day
    return months if months >= 0 else None


def _days_since(value: Any, today: dt.date) -> int | None:
    date = _partial_date(value)
    if date is None:
        return None
    days = (today - date.earliest()).days
    return days if days >= 0 else None


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _per_item(scope: Scope, items: list[Any], cond: ast.expr) -> Iterator[bool]:
    for item in items:
        values = item if isinstance(item, Mapping) else {}
        yield bool(_eval(cond, scope.item(values)))


def _call(node: ast.Call, scope: Scope) -> Any:
    assert isinstance(node.func, ast.Name)
    name = node.func.id
    args = node.args
    if name in ("count", "any", "all"):
        items = _items(_eval(args[0], scope))
        if name == "count":
            if len(args) == 1:
                return len(items)
            return sum(_per_item(scope, items, args[1]))
        if name == "any":
            return any(_per_item(scope, items, args[1]))
        return bool(items) and all(_per_item(scope, items, args[1]))
    value = _eval(args[0], scope)
    simple: dict[str, Callable[[Any], Any]] = {
        "answered": lambda v: not is_empty(v),
        "age": lambda v: _years_since(v, scope.today),
        "years_since": lambda v: _years_since(v, scope.today),
        "months_since": lambda v: _months_since(v, scope.today),
        "days_since": lambda v: _days_since(v, scope.today),
    }
    return simple[name](value)


def _eval(node: ast.AST, scope: Scope) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        return scope.lookup(node.id)
    if isinstance(node, ast.BoolOp):
        if isinstance(node.op, ast.And):
            return all(bool(_eval(v, scope)) for v in node.values)
        return any(bool(_eval(v, scope)) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not operand
        number = _number(operand)
        return -number if number is not None else None
    if isinstance(node, ast.BinOp):
        left, right = _number(_eval(node.left, scope)), _number(_eval(node.right, scope))
        if left is None or right is None:
            return None
        return left + right if isinstance(node.op, ast.Add) else left - right
    if isinstance(node, ast.Compare):
        left = _eval(node.left, scope)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, scope)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.List):
        return [_eval(elt, scope) for elt in node.elts]
    if isinstance(node, ast.Call):
        return _call(node, scope)
    raise ExpressionError(f"unexpected node {type(node).__name__}")  # pragma: no cover
