"""The cell functions as xlwings UDFs: one thin ``@xw.func`` wrapper per registry function.

Excel's add-in calls them through the prebuilt VBA wrappers (``macros/XlgradeUdfs.bas``,
``XLPy.CallUDF("xlgrade.addins.excel.udfs", NAME, Array(...), ...)``); the conf sheet's
``UDF Modules`` names this module. Each wrapper is built from its :class:`CellFunction`:
the Python name is the Excel name, the parameters are the registry's argument names (the
optional ones default to ``None``, so xlwings marks them ``Optional``), a range argument is
read as a 2-D list (``ndim=2``). On Linux and macOS xlwings' decorators are no-ops and the
wrappers are plain callables.

What Excel hands over is reduced to what the registry expects (model.py rule 3): a range
becomes a tuple of row tuples, a date (pywin32 gives ``datetime``) a serial number.

A :class:`CellValueError` is raised again as :class:`UdfError`, whose text is one line,
``#VALUE! <message>``: the wrapper's ``failed:`` label puts ``Err.Description`` into the cell,
as xlwings does for every UDF that raises. On Windows it is raised as pywin32's
``COMException`` with that description, so the cell shows the line and not a Python traceback.
"""

from __future__ import annotations

import datetime as _dt
import inspect
from collections.abc import Callable
from typing import Any

import xlwings as xw

from xlgrade.cells import FUNCTIONS, CellFunction, CellValueError
from xlgrade.cells.model import RANGE
from xlgrade.errors import UdfError

CATEGORY = "xlgrade"
_EPOCH = _dt.datetime(1899, 12, 30)

try:  # pywin32, on Windows only: an exception whose description Excel receives as it is
    from win32com.server.exception import COMException as _COMException  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - Linux, macOS
    _COMException = None


def to_registry(value: Any, kind: str) -> Any:
    """One argument as xlwings hands it over -> the registry's form (model.py rule 3)."""
    if isinstance(value, _dt.datetime):
        value = (value - _EPOCH).total_seconds() / 86400
    elif isinstance(value, _dt.date):
        value = float((value - _EPOCH.date()).days)
    if kind == RANGE:
        if value is None:
            return ()
        if not isinstance(value, (list, tuple)):
            return ((value,),)
        rows = value if value and isinstance(value[0], (list, tuple)) else [value]
        return tuple(tuple(to_registry(v, "") for v in row) for row in rows)
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def from_registry(result: Any) -> Any:
    """The registry's result -> what xlwings writes: an array result as a list of rows."""
    if isinstance(result, tuple):
        return [list(row) for row in result]
    return result


def call(cf: CellFunction, values: tuple) -> Any:
    """Call ``cf`` with Excel's values; a refusal becomes :class:`UdfError` (``#VALUE! ...``)."""
    converted = [to_registry(v, a.kind) for a, v in zip(cf.args, values)]
    try:
        return from_registry(cf(*converted))
    except CellValueError as exc:
        err = UdfError(exc)
        if _COMException is not None:
            raise _COMException(description=str(err)) from exc
        raise err from exc


def _wrapper(cf: CellFunction) -> Callable[..., Any]:
    def udf(*values):
        return call(cf, values)

    udf.__name__ = udf.__qualname__ = cf.name
    udf.__doc__ = f"{cf.zh} / {cf.en}"
    udf.__module__ = __name__
    params = [
        inspect.Parameter(
            a.name, inspect.Parameter.POSITIONAL_OR_KEYWORD, default=None if a.optional else inspect.Parameter.empty
        )
        for a in cf.args
    ]
    udf.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]  # what xlwings reads
    for a in cf.args:
        options = {"ndim": 2} if a.kind == RANGE else {}
        udf = xw.arg(a.name, doc=a.help_en, **options)(udf)
    if cf.returns == "array":
        udf = xw.ret(ndim=2)(udf)
    return xw.func(category=CATEGORY)(udf)


for _cf in FUNCTIONS:
    globals()[_cf.name] = _wrapper(_cf)

__all__ = [cf.name for cf in FUNCTIONS]
