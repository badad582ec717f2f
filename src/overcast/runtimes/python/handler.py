"""Loading the user's handler, with the init errors Lambda's Python runtime reports."""

import importlib
import sys


class InitError(Exception):
    """Raised when the handler cannot be loaded; carries Lambda's error object."""

    def __init__(self, error_type, message, stack_trace=None):
        super().__init__(message)
        self.error = {
            "errorMessage": message,
            "errorType": error_type,
            "requestId": "",
            "stackTrace": stack_trace or [],
        }


def load_handler(handler):
    """Import `module.function` (or `pkg/mod.function`, `pkg.mod.function`) and return it."""
    try:
        module_name, function_name = handler.rsplit(".", 1)
    except ValueError as exc:
        raise InitError("Runtime.MalformedHandlerName", f"Bad handler '{handler}': {exc}") from None
    if module_name.split(".")[0] in sys.builtin_module_names:
        raise InitError(
            "Runtime.BuiltInModuleConflict",
            f"Cannot use built-in module {module_name} as a handler module",
        )
    module = _import(module_name)
    try:
        return getattr(module, function_name)
    except AttributeError:
        raise InitError(
            "Runtime.HandlerNotFound",
            f"Handler '{function_name}' missing on module '{module_name}'",
        ) from None


def _import(module_name):
    try:
        return importlib.import_module(module_name.replace("/", "."))
    except ImportError as exc:
        raise InitError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from None
    except SyntaxError as exc:
        trace = [f'  File "{exc.filename}" Line {exc.lineno}\n        {exc.text}']
        raise InitError(
            "Runtime.UserCodeSyntaxError", f"Syntax error in module '{module_name}': {exc}", trace
        ) from None
