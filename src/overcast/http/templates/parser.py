"""Mapping template text -> `nodes.Block`: text, references and directives.

Directives: `#set`, `#if`/`#elseif`/`#else`, `#foreach`, `#define`, `#break`, `#stop`, each `#end`
(also in the braced form `#{else}`); comments `##` and `#* *#`; unparsed `#[[ ]]#`; `\\$x` and
`\\#if` escapes. `#macro`, `#include`, `#parse` and `#evaluate` are refused (API Gateway fails
templates that use the file-loading ones). A `#` or `$` that starts nothing is text.

Whitespace: a line holding only a directive (and blanks) leaves nothing in the output, not even
its newline, so indented templates render without stray blank lines.
"""

from __future__ import annotations

import re
from functools import lru_cache

from overcast.http.templates import nodes as n
from overcast.http.templates.errors import TemplateError
from overcast.http.templates.expressions import ExpressionParser

SPECIAL = re.compile(r"[$#\\]")
DIRECTIVE = re.compile(r"#(?:\{([A-Za-z]+)\}|([A-Za-z]+))")
BLANK_TO_EOL = re.compile(r"[ \t]*(\r\n|\n|\r|$)")
BLANK = re.compile(r"[ \t]*")
BACKSLASHES = re.compile(r"\\+")
IN = re.compile(r"in(?![A-Za-z0-9_])")
SCOPE = re.compile(r"[ \t]*\(\s*\$[A-Za-z_][A-Za-z0-9_]*\s*\)")
REFUSED = {"macro", "include", "parse", "evaluate"}
ENDS = {"end", "else", "elseif"}
MAX_TEMPLATE = 1024 * 1024  # characters; API Gateway's own limit on a template is far lower


@lru_cache(maxsize=512)
def parse(text: str) -> n.Block:
    """The parsed template (cached by its text: a stage's templates are parsed once)."""
    if len(text) > MAX_TEMPLATE:
        raise TemplateError("mapping template too large")
    return TemplateParser(text).document()


class TemplateParser(ExpressionParser):
    def __init__(self, text: str, depth: int = 0) -> None:
        super().__init__(text, depth)
        self.line_clean = True  # only blanks so far on the current output line

    def document(self) -> n.Block:
        out, end, _ = self.block(frozenset())
        if end is not None:
            raise self.error(f"#{end} without an opening directive")
        return out.build()

    def template_of(self, content: str) -> n.Block:
        inner = TemplateParser(content, self.depth + 1)
        inner.enter()
        return inner.document()

    def block(self, ends: frozenset[str]) -> tuple[BlockBuilder, str | None, bool]:
        """Nodes up to one of `ends` or the end of the text. Returns the nodes, the name of
        the terminator found (None at the end of the text; the cursor just past it) and
        whether it began a blank line (see `terminated`)."""
        self.enter()
        out = BlockBuilder()
        while self.pos < len(self.text):
            found = SPECIAL.search(self.text, self.pos)
            if not found:
                out.text(self, self.text[self.pos :])
                self.pos = len(self.text)
                break
            out.text(self, self.text[self.pos : found.start()])
            self.pos = found.start()
            clean = self.line_clean
            end = self.special(out, ends)
            if end is not None:
                self.leave()
                return out, end, clean
        self.leave()
        return out, None, False

    def special(self, out: BlockBuilder, ends: frozenset[str]) -> str | None:
        char = self.peek()
        if char == "\\":
            self.escape(out)
        elif char == "$":
            ref = self.reference()
            if ref is None:
                out.text(self, "$")
                self.pos += 1
            else:
                out.node(self, n.Output(ref))
        else:
            return self.hash(out, ends)
        return None

    def escape(self, out: BlockBuilder) -> None:
        """`\\$x` writes `$x`, `\\\\$x` a backslash then $x's value; `\\#if` writes `#if`."""
        run = BACKSLASHES.match(self.text, self.pos)
        assert run is not None
        count = len(run.group())
        self.pos = run.end()
        follows = self.peek()
        if follows not in ("$", "#"):
            out.text(self, run.group())
            return
        out.text(self, "\\" * (count // 2))
        if count % 2 == 0:
            return
        if follows == "$":
            start = self.pos
            ref = self.reference()
            self.pos = self.pos if ref else start + 1
            out.text(self, self.text[start : self.pos])
        else:
            out.text(self, "#")
            self.pos += 1

    def hash(self, out: BlockBuilder, ends: frozenset[str]) -> str | None:
        if self.text.startswith("##", self.pos):
            eol = self.text.find("\n", self.pos)
            self.pos = len(self.text) if eol < 0 else eol + 1
            return None
        if self.text.startswith("#*", self.pos):
            close = self.text.find("*#", self.pos + 2)
            if close < 0:
                raise self.error("unterminated #* comment")
            self.pos = close + 2
            return None
        if self.text.startswith("#[[", self.pos):
            close = self.text.find("]]#", self.pos + 3)
            if close < 0:
                raise self.error("unterminated #[[ block")
            out.text(self, self.text[self.pos + 3 : close])
            self.pos = close + 3
            return None
        found = DIRECTIVE.match(self.text, self.pos)
        name = (found.group(1) or found.group(2)) if found else ""
        if found and name in ENDS:
            if name not in ends:
                raise self.error(f"#{name} without an opening directive")
            self.pos = found.end()
            return name
        handler = DIRECTIVES.get(name)
        if found is None or handler is None:
            if name in REFUSED:
                raise self.error(f"#{name} is not supported in mapping templates")
            out.text(self, "#")
            self.pos += 1
            return None
        clean = self.line_clean
        self.pos = found.end()
        handler(self, out, clean)
        return None

    def end_of_line(self, out: BlockBuilder, clean: bool) -> None:
        """After a directive: when it stood alone on its line, gobble the line's blanks and
        newline, and the blanks before it (still pending in `out`)."""
        rest = BLANK_TO_EOL.match(self.text, self.pos)
        if clean and rest:
            out.strip_line()
            self.pos = rest.end()
            self.line_clean = True
        else:
            self.line_clean = False

    def body(self, ends: frozenset[str]) -> tuple[BlockBuilder, str, bool]:
        out, end, clean = self.block(ends)
        if end is None:
            raise self.error("missing #end")
        return out, end, clean

    def body_to_end(self) -> n.Block:
        out, _, clean = self.body(frozenset({"end"}))
        return self.terminated(out, clean)

    def terminated(self, out: BlockBuilder, clean: bool) -> n.Block:
        """Just past a body's `#end`/`#else` (or `#elseif(...)`): gobble its line if it
        stood alone, and build the body."""
        self.end_of_line(out, clean)
        return out.build()

    # -- directives ----------------------------------------------------------------------------
    def parenthesised(self) -> None:
        self.match(BLANK)
        if self.peek() != "(":
            raise self.error("expected '('")
        self.pos += 1

    def variable(self, directive: str) -> n.Ref:
        self.skip_space()
        ref = self.reference() if self.peek() == "$" else None
        if ref is None:
            raise self.error(f"#{directive} needs a variable")
        return ref

    def directive_set(self, out: BlockBuilder, clean: bool) -> None:
        self.parenthesised()
        target = self.variable("set")
        if target.parts and isinstance(target.parts[-1], n.Call):
            raise self.error("#set cannot assign to a method call")
        self.expect("=")
        value = self.expression()
        self.expect(")")
        self.end_of_line(out, clean)
        out.node(self, n.Set(target, value), gobbled=True)

    def condition(self) -> n.Expr:
        self.parenthesised()
        value = self.expression()
        self.expect(")")
        return value

    def directive_if(self, out: BlockBuilder, clean: bool) -> None:
        branches: list[tuple[n.Expr, n.Block]] = []
        condition: n.Expr | None = self.condition()
        self.end_of_line(out, clean)
        while True:
            allowed = frozenset({"end"}) if condition is None else frozenset(ENDS)
            inner, end, inner_clean = self.body(allowed)
            following = self.condition() if end == "elseif" else None
            block = self.terminated(inner, inner_clean)
            if condition is None:
                out.node(self, n.If(tuple(branches), block), gobbled=True)
                return
            branches.append((condition, block))
            if end == "end":
                out.node(self, n.If(tuple(branches), None), gobbled=True)
                return
            condition = following

    def directive_foreach(self, out: BlockBuilder, clean: bool) -> None:
        self.parenthesised()
        var = self.variable("foreach")
        self.skip_space()
        if var.parts or not IN.match(self.text, self.pos):
            raise self.error("#foreach needs ($variable in expression)")
        self.pos += 2
        iterable = self.expression()
        self.expect(")")
        self.end_of_line(out, clean)
        body = self.body_to_end()
        out.node(self, n.Foreach(var.root, iterable, body), gobbled=True)

    def directive_define(self, out: BlockBuilder, clean: bool) -> None:
        self.parenthesised()
        name = self.variable("define")
        if name.parts:
            raise self.error("#define needs a variable")
        self.expect(")")
        self.end_of_line(out, clean)
        body = self.body_to_end()
        out.node(self, n.Define(name.root, body), gobbled=True)

    def directive_break(self, out: BlockBuilder, clean: bool) -> None:
        self.scope_argument()
        self.end_of_line(out, clean)
        out.node(self, n.Break(), gobbled=True)

    def directive_stop(self, out: BlockBuilder, clean: bool) -> None:
        self.end_of_line(out, clean)
        out.node(self, n.Stop(), gobbled=True)

    def scope_argument(self) -> None:
        """`#break($foreach)` names the scope it leaves; only the innermost loop is left."""
        found = SCOPE.match(self.text, self.pos)
        if found:
            self.pos = found.end()


DIRECTIVES = {
    "set": TemplateParser.directive_set,
    "if": TemplateParser.directive_if,
    "foreach": TemplateParser.directive_foreach,
    "define": TemplateParser.directive_define,
    "break": TemplateParser.directive_break,
    "stop": TemplateParser.directive_stop,
}


class BlockBuilder:
    """Collects a block's nodes, joining adjacent text, and knows whether the current output
    line holds only blanks so far (for the whitespace rule of the module docstring)."""

    def __init__(self) -> None:
        self.nodes: list[n.Node] = []
        self.pending: list[str] = []

    def text(self, parser: TemplateParser, text: str) -> None:
        if not text:
            return
        self.pending.append(text)
        tail = text.rsplit("\n", 1)
        if len(tail) == 2:
            parser.line_clean = not tail[1].strip(" \t")
        elif text.strip(" \t"):
            parser.line_clean = False

    def strip_line(self) -> None:
        joined = "".join(self.pending)
        self.pending = [joined.rstrip(" \t")] if joined else []

    def node(self, parser: TemplateParser, node: n.Node, gobbled: bool = False) -> None:
        self.flush()
        self.nodes.append(node)
        if not gobbled:
            parser.line_clean = False

    def flush(self) -> None:
        joined = "".join(self.pending)
        if joined:
            self.nodes.append(n.Text(joined))
        self.pending = []

    def build(self) -> n.Block:
        self.flush()
        return n.Block(tuple(self.nodes))
