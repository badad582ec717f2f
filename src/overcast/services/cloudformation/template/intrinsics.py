"""Evaluating intrinsic functions: a Resolver turns a resource's Properties (or an Output's
Value) into plain data once the resources it names exist.

A value is an intrinsic function when it is a mapping with exactly one key naming one (`Ref`,
`Fn::*`); `Ref AWS::NoValue`, usually from `Fn::If`, removes the property or list item that
holds it. Resources are reached through the callables the engine supplies, so the template
language knows no store: `refs(logical_id)` is a resource's `Ref`, `attributes(logical_id,
name)` its `Fn::GetAtt`, `exports(name)` a stack export's value (None when there is none).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from overcast.services.cloudformation.errors import TemplateError
from overcast.services.cloudformation.template import functions, sub
from overcast.services.cloudformation.template.pseudo import NO_VALUE, Pseudo

GET_ATT = (
    "Template error: every Fn::GetAtt object requires two non-empty parameters, the resource "
    "name and the resource attribute"
)
SUB = (
    "Template error: One or more Fn::Sub intrinsic functions don't specify expected arguments. "
    "Specify a string as first argument, and an optional second argument to specify a mapping "
    "of values to replace in the string"
)
IF = "Template error: Fn::If requires a list argument with three elements"

FUNCTIONS = frozenset(
    {
        "Ref", "Fn::GetAtt", "Fn::Sub", "Fn::Join", "Fn::Select", "Fn::Split", "Fn::If",
        "Fn::Equals", "Fn::And", "Fn::Or", "Fn::Not", "Fn::FindInMap", "Fn::GetAZs",
        "Fn::Base64", "Fn::Cidr", "Fn::ImportValue", "Fn::Length", "Fn::ToJsonString",
    }
)  # fmt: skip


def intrinsic(value: object) -> tuple[str, object] | None:
    """(name, argument) when `value` is an intrinsic function call, else None."""
    if isinstance(value, dict) and len(value) == 1:
        name, argument = next(iter(value.items()))
        if name in FUNCTIONS:
            return name, argument
    return None


class Resolver:
    """Evaluates intrinsic functions against a stack's parameters, conditions, mappings,
    pseudo parameters and resources."""

    def __init__(
        self,
        parameters: Mapping[str, object],
        conditions: Mapping[str, bool],
        mappings: dict,
        pseudo: Pseudo,
        refs: Callable[[str], object],
        attributes: Callable[[str, str], object],
        exports: Callable[[str], str | None],
    ) -> None:
        self.parameters = parameters
        self.conditions = conditions
        self.mappings = mappings
        self.pseudo = pseudo
        self._pseudo_values = pseudo.values()
        self._refs = refs
        self._attributes = attributes
        self._exports = exports
        self._calls: dict[str, Callable[[object], object]] = {
            "Ref": self._ref,
            "Fn::GetAtt": self._get_att,
            "Fn::Sub": self._sub,
            "Fn::Join": lambda arg: functions.join(self.resolve(arg)),
            "Fn::Select": self._select,
            "Fn::Split": lambda arg: functions.split(self.resolve(arg)),
            "Fn::If": self._if,
            "Fn::Equals": lambda arg: functions.equal(self.resolve(arg)),
            "Fn::And": lambda arg: all(self._operands("Fn::And", arg, 2, 10)),
            "Fn::Or": lambda arg: any(self._operands("Fn::Or", arg, 2, 10)),
            "Fn::Not": lambda arg: not self._operands("Fn::Not", arg, 1, 1)[0],
            "Fn::FindInMap": lambda arg: functions.find_in_map(self.mappings, self.resolve(arg)),
            "Fn::GetAZs": lambda arg: functions.get_azs(self.resolve(arg), pseudo.region),
            "Fn::Base64": lambda arg: functions.base64_of(self.resolve(arg)),
            "Fn::Cidr": lambda arg: functions.cidr(self.resolve(arg)),
            "Fn::ImportValue": self._import_value,
            "Fn::Length": lambda arg: functions.length(self.resolve(arg)),
            "Fn::ToJsonString": lambda arg: functions.to_json_string(self.resolve(arg)),
        }

    def resolve(self, value: object) -> object:
        """`value` with every intrinsic function evaluated; NO_VALUE when the whole value is
        `AWS::NoValue`."""
        call = intrinsic(value)
        if call is not None:
            return self._calls[call[0]](call[1])
        if isinstance(value, dict):
            resolved = ((key, self.resolve(item)) for key, item in value.items())
            return {key: item for key, item in resolved if item is not NO_VALUE}
        if isinstance(value, list):
            return [item for item in map(self.resolve, value) if item is not NO_VALUE]
        return value

    def condition(self, name: object) -> bool:
        """The value of a named condition."""
        if not isinstance(name, str) or name not in self.conditions:
            raise TemplateError(f"Template error: unresolved condition dependency {name} in Fn::If")
        return self.conditions[name]

    def truth(self, value: object) -> bool:
        """A condition function's operand: `{"Condition": name}` or a function that yields a
        boolean."""
        if isinstance(value, dict) and len(value) == 1 and "Condition" in value:
            return self.condition(value["Condition"])
        result = self.resolve(value)
        if isinstance(result, bool):
            return result
        if result in ("true", "false"):
            return result == "true"
        raise TemplateError(
            "Template format error: Conditions can only be boolean operations on parameters "
            "and other conditions"
        )

    def _ref(self, name: object) -> object:
        if not isinstance(name, str):
            raise TemplateError("Template error: every Ref object must have a single String value.")
        if name in self.parameters:
            return self.parameters[name]
        if name in self._pseudo_values:
            return self._pseudo_values[name]
        return self._refs(name)

    def _get_att(self, argument: object) -> object:
        if isinstance(argument, str):
            argument = argument.split(".", 1)
        if not (isinstance(argument, list) and len(argument) == 2):
            raise TemplateError(GET_ATT)
        name, attribute = argument[0], self.resolve(argument[1])
        if not (isinstance(name, str) and name and isinstance(attribute, str) and attribute):
            raise TemplateError(GET_ATT)
        return self._attributes(name, attribute)

    def _sub(self, argument: object) -> str:
        text, names = argument, {}
        if isinstance(argument, list):
            if len(argument) not in (1, 2):
                raise TemplateError(SUB)
            text, names = argument[0], argument[1] if len(argument) == 2 else {}
        if not isinstance(text, str) or not isinstance(names, dict):
            raise TemplateError(SUB)
        values = {key: self.resolve(value) for key, value in names.items()}

        def value_of(name: str) -> str:
            if name in values:
                found = values[name]
            elif "." in name and name.split(".", 1)[0] not in self.parameters:
                found = self._get_att(name)
            else:
                found = self._ref(name)
            as_text = functions.text(found)
            if as_text is None:
                raise TemplateError(
                    f"Template error: variable {name} in Fn::Sub expression does not resolve "
                    "to a string"
                )
            return as_text

        return sub.substitute(text, value_of)

    def _select(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 2):
            raise TemplateError(functions.SELECT)
        return functions.select(self.resolve(argument[0]), self.resolve(argument[1]))

    def _if(self, argument: object) -> object:
        if not (isinstance(argument, list) and len(argument) == 3):
            raise TemplateError(IF)
        chosen = argument[1] if self.condition(argument[0]) else argument[2]
        return self.resolve(chosen)

    def _operands(self, function: str, argument: object, least: int, most: int) -> list[bool]:
        if not (isinstance(argument, list) and least <= len(argument) <= most):
            count = f"{least}" if least == most else f"at least {least} and at most {most}"
            noun = "parameter" if most == 1 else "parameters"
            raise TemplateError(
                f"Template error: every {function} object requires a list of {count} boolean "
                f"{noun}."
            )
        return [self.truth(item) for item in argument]

    def _import_value(self, argument: object) -> str:
        name = self.resolve(argument)
        if not isinstance(name, str):
            raise TemplateError(
                "Template error: every Fn::ImportValue object requires a String value"
            )
        value = self._exports(name)
        if value is None:
            raise TemplateError(f"No export named {name} found.")
        return value
