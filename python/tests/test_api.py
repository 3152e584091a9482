"""Every public name has a docstring, and the type stub names everything the
native module has."""

import ast
import inspect
from pathlib import Path

import cocreate
import cocreate.ema
from cocreate import _cocreate


def public_members(module):
    for name in module.__all__:
        obj = getattr(module, name)
        yield f"{module.__name__}.{name}", obj
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for member, value in vars(obj).items():
                if member.startswith("_"):
                    continue
                yield f"{module.__name__}.{name}.{member}", value


def test_every_public_name_has_a_docstring():
    missing = []
    for module in (cocreate, cocreate.ema):
        for qualified, obj in public_members(module):
            doc = obj.__doc__ if not isinstance(obj, (str, int, float, dict)) else "value"
            if not (doc or "").strip():
                missing.append(qualified)
    assert missing == []


def test_the_stub_names_every_native_name():
    stub = Path(_cocreate.__file__).with_name("_cocreate.pyi")
    if not stub.is_file():  # an editable build: the stub is beside the sources
        stub = Path(cocreate.__file__).with_name("_cocreate.pyi")
    tree = ast.parse(stub.read_text())
    declared = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            declared.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            declared.add(node.target.id)
    native = {name for name in dir(_cocreate) if not name.startswith("_")} | {"__version__"}
    assert native == declared
    # and every native function and class carries its docstring
    for name in native - {"__version__"}:
        assert (getattr(_cocreate, name).__doc__ or "").strip(), name
