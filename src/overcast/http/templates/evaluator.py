"""Runs a parsed template against its variables, as Velocity 1.7 runs one for API Gateway.

- `#set($x = value)` leaves `$x` unchanged when the value is null (Velocity 1.x's rule);
  `#set($map.key = value)` puts into a map (how `$context.responseOverride.status` is set).
- `#foreach` walks a list, or a map's values; `$foreach.index/count/hasNext/first/last/parent`
  and the older `$velocityCount` / `$velocityHasNext` are defined inside it; `#break` leaves it.
- `#stop` ends the template, keeping what it wrote so far.
- `#define($name)` binds a block that renders, with the variables of the moment, wherever
  `$name` is written.

Every template runs within a budget (steps, output size, nesting), so that no template, however
hostile, can hold a worker or its memory: past a limit the template fails with TemplateError.
"""

from __future__ import annotations

from dataclasses import dataclass

from overcast.http.templates import nodes as n
from overcast.http.templates.errors import TemplateError
from overcast.http.templates.methods import MAX_ITEMS, call_method, get_property
from overcast.http.templates.operators import binary, negate, truthy
from overcast.http.templates.values import MAX_TEXT, HostObject, text_result, to_text

MAX_STEPS = 1_000_000  # nodes evaluated and loop turns, for one render
MAX_OUTPUT = MAX_TEXT  # characters written by one render
MAX_DEFINE_DEPTH = 16  # #define blocks rendering each other


class BreakLoop(Exception):
    """Raised by #break, caught by the innermost #foreach."""


class StopTemplate(Exception):
    """Raised by #stop, caught where the render began."""


@dataclass
class Budget:
    steps: int = 0
    output: int = 0
    define_depth: int = 0

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > MAX_STEPS:
            raise TemplateError("mapping template exceeded its evaluation limit")

    def wrote(self, size: int) -> None:
        self.output += size
        if self.output > MAX_OUTPUT:
            raise TemplateError("mapping template output too large")


class ForeachInfo(HostObject):
    """`$foreach` inside a loop."""

    java_class = "org.apache.velocity.runtime.directive.ForeachScope"

    def __init__(self, parent: object, total: int) -> None:
        self.parent, self.total, self.index = parent, total, 0

    def property(self, name: str) -> object:
        values = {
            "index": self.index,
            "count": self.index + 1,
            "hasNext": self.index + 1 < self.total,
            "first": self.index == 0,
            "last": self.index + 1 == self.total,
            "parent": self.parent,
        }
        return values.get(name)

    def call(self, name: str, args: list[object]) -> object:
        if args:
            return None
        getter = {"hasNext": "hasNext", "getIndex": "index", "getCount": "count"}.get(name)
        getter = getter or {"isFirst": "first", "isLast": "last", "getParent": "parent"}.get(name)
        return self.property(getter) if getter else None


class DefinedBlock(HostObject):
    """A `#define`d block: renders where it is written, with the variables of that moment."""

    java_class = "org.apache.velocity.runtime.directive.Block$Reference"

    def __init__(self, body: n.Block, evaluator: Evaluator) -> None:
        self.body, self.evaluator = body, evaluator

    def text(self) -> str:
        return self.evaluator.render_defined(self.body)


class Evaluator:
    def __init__(self, namespace: dict[str, object], budget: Budget | None = None) -> None:
        self.namespace = namespace
        self.budget = budget or Budget()
        self.capturing = 0  # > 0 while rendering into a string rather than the output

    def render(self, block: n.Block) -> str:
        out: list[str] = []
        try:
            self.block(block, out)
        except StopTemplate:
            pass
        except BreakLoop:
            pass  # a #break outside any loop ends the template, as its scope
        except RecursionError:
            raise TemplateError("mapping template nested too deeply") from None
        return "".join(out)

    def render_defined(self, body: n.Block) -> str:
        if self.budget.define_depth >= MAX_DEFINE_DEPTH:
            raise TemplateError("#define blocks nested too deeply")
        self.budget.define_depth += 1
        try:
            return self.captured(body)
        finally:
            self.budget.define_depth -= 1

    # -- nodes ---------------------------------------------------------------------------------
    def block(self, block: n.Block, out: list[str]) -> None:
        for node in block.nodes:
            self.node(node, out)

    def node(self, node: n.Node, out: list[str]) -> None:  # noqa: C901 - one branch per kind
        self.budget.step()
        if isinstance(node, n.Text):
            self.write(out, node.text)
        elif isinstance(node, n.Output):
            self.write(out, to_text(self.ref(node.ref)))
        elif isinstance(node, n.Set):
            self.assign(node.target, self.expr(node.value))
        elif isinstance(node, n.If):
            for condition, body in node.branches:
                if truthy(self.expr(condition)):
                    self.block(body, out)
                    return
            if node.otherwise is not None:
                self.block(node.otherwise, out)
        elif isinstance(node, n.Foreach):
            self.foreach(node, out)
        elif isinstance(node, n.Define):
            self.namespace[node.name] = DefinedBlock(node.body, self)
        elif isinstance(node, n.Break):
            raise BreakLoop()
        elif isinstance(node, n.Stop):
            raise StopTemplate()

    def write(self, out: list[str], text: str) -> None:
        if not text:
            return
        if self.capturing:
            # Text kept for a string or a #define'd block: counted when written out; building
            # it costs steps by its size, so that no loop can copy gigabytes.
            self.budget.step(len(text) // 1000)
        else:
            self.budget.wrote(len(text))
        out.append(text)

    def captured(self, block: n.Block) -> str:
        self.capturing += 1
        try:
            out: list[str] = []
            self.block(block, out)
            return text_result("".join(out))
        finally:
            self.capturing -= 1

    def foreach(self, node: n.Foreach, out: list[str]) -> None:
        iterable = self.expr(node.iterable)
        if isinstance(iterable, dict):
            items = list(iterable.values())
        elif isinstance(iterable, list):
            items = list(iterable)  # a snapshot: the body may change the list
        else:
            return  # Velocity skips what it cannot iterate (null, a string, a number)
        saved = {name: self.namespace.get(name) for name in LOOP_NAMES + (node.var,)}
        info = ForeachInfo(saved["foreach"], len(items))
        try:
            for index, item in enumerate(items):
                self.budget.step()
                info.index = index
                self.namespace.update(
                    {
                        node.var: item,
                        "foreach": info,
                        "velocityCount": index + 1,
                        "velocityHasNext": index + 1 < len(items),
                    }
                )
                try:
                    self.block(node.body, out)
                except BreakLoop:
                    break
        finally:
            for name, value in saved.items():
                if value is None:
                    self.namespace.pop(name, None)
                else:
                    self.namespace[name] = value

    def assign(self, target: n.Ref, value: object) -> None:
        if value is None:
            return  # Velocity 1.x: a null right-hand side leaves the reference as it was
        if not target.parts:
            self.namespace[target.root] = value
            return
        holder = self.walk(self.namespace.get(target.root), target.parts[:-1])
        last = target.parts[-1]
        if isinstance(last, n.Prop) and isinstance(holder, dict):
            holder[last.name] = value
        elif isinstance(last, n.Index):
            key = self.expr(last.key)
            if isinstance(holder, dict):
                holder[key if isinstance(key, str | int | float) else to_text(key)] = value
            elif isinstance(holder, list):
                call_method(holder, "set", [key, value])

    # -- expressions ---------------------------------------------------------------------------
    def expr(self, expr: n.Expr) -> object:  # noqa: C901 - one branch per kind
        self.budget.step()
        if isinstance(expr, n.Ref):
            return self.ref(expr)
        if isinstance(expr, n.Literal):
            return expr.value
        if isinstance(expr, n.Binary):
            return self.binary(expr)
        if isinstance(expr, n.Unary):
            operand = self.expr(expr.operand)
            return (not truthy(operand)) if expr.op == "!" else negate(operand)
        if isinstance(expr, n.Interpolated):
            return self.captured(expr.body)
        if isinstance(expr, n.ListLit):
            return [self.expr(item) for item in expr.items]
        if isinstance(expr, n.RangeLit):
            return self.range(expr)
        if isinstance(expr, n.MapLit):
            return {self.key(k): self.expr(v) for k, v in expr.pairs}
        raise TemplateError("unknown expression")  # pragma: no cover - the parser's nodes only

    def binary(self, expr: n.Binary) -> object:
        left = self.expr(expr.left)
        if expr.op == "&&":
            return truthy(left) and truthy(self.expr(expr.right))
        if expr.op == "||":
            return truthy(left) or truthy(self.expr(expr.right))
        return binary(expr.op, left, self.expr(expr.right))

    def key(self, key: n.Expr) -> object:
        value = self.expr(key)
        return value if isinstance(value, str | int | float | bool) else to_text(value)

    def range(self, expr: n.RangeLit) -> list[int] | None:
        start, end = self.expr(expr.start), self.expr(expr.end)
        bounds = [_integer(start), _integer(end)]
        if None in bounds:
            return None
        low, high = bounds  # type: ignore[misc]
        size = abs(high - low) + 1
        if size > MAX_ITEMS:
            raise TemplateError("range too large in mapping template")
        self.budget.step(size)
        return list(range(low, high + 1)) if low <= high else list(range(low, high - 1, -1))

    def ref(self, ref: n.Ref) -> object:
        return self.walk(self.namespace.get(ref.root), ref.parts)

    def walk(self, value: object, parts: tuple[n.Prop | n.Call | n.Index, ...]) -> object:
        for part in parts:
            if value is None:
                return None
            if isinstance(part, n.Prop):
                value = get_property(value, part.name)
            elif isinstance(part, n.Call):
                value = call_method(value, part.name, [self.expr(arg) for arg in part.args])
            else:
                value = self.index(value, self.expr(part.key))
        return value

    def index(self, value: object, key: object) -> object:
        if isinstance(value, dict):
            return value.get(key if isinstance(key, str | int | float | bool) else to_text(key))
        if isinstance(value, list):
            return call_method(value, "get", [key])
        return None


LOOP_NAMES = ("foreach", "velocityCount", "velocityHasNext")


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None
