"""UNO values <-> cell-function values, for the xlgrade Calc add-in (standard library only).

This file is copied into the extension's ``pythonpath/`` and imported by the component
(``xlgrade_cells.py``) inside LibreOffice's own Python; the tests import it from the source
tree. It must not import uno, xlgrade or anything outside the standard library.

What Calc hands a method whose parameters are ``any`` or ``sequence< sequence< any > >``
(measured on LibreOffice 25.2, see docs/libreoffice.md):

- a number typed or computed: ``float``; text: ``str``;
- an omitted optional argument: an empty any, which pyuno gives as ``None``;
- a reference to ONE cell: that cell's value, an empty cell as ``0.0`` (Calc dereferences
  it like arithmetic does, for ``any`` and for ``sequence< sequence< any > >`` parameters
  alike, so an empty cell cannot be told from 0 here);
- a reference to several cells: a tuple of rows, each a tuple of cell values (``float``,
  ``str``, an empty cell as ``None``).

The registry wants ``None`` for an empty cell or an omitted argument, a scalar for a scalar
argument, and a tuple of rows for a range (xlgrade/cells/model.py, rule 3). A block of cells
where one value is expected is handed on as the flat tuple of its non-empty cells (row by
row): list arguments (labels, minimums) take it, number arguments refuse it (#VALUE!).
"""

RANGE = "range"


class ArgumentError(ValueError):
    """A value Calc should never pass (not a number, text, empty or a block)."""


def _cell(value):
    """One cell's value: float, str or None (empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        return None if value == "" else value
    raise ArgumentError(f"unexpected cell value {value!r}")


def _is_block(value):
    return isinstance(value, (tuple, list))


def _convert_rows(value):
    return tuple(tuple(_cell(v) for v in (row if _is_block(row) else (row,))) for row in value)


_RANGES = {}  # type: dict   # a range as Calc passed it -> its conversion (the last few ranges seen)
_RANGES_KEPT = 8


def _rows(value):
    """A range argument as a tuple of rows; a single value is a 1 x 1 range.

    Calc hands the whole range to every call (10,000 PARETOGRADE cells over one column: 10,000
    copies of it), and converting it cell by cell in Python costs more than the registry's
    lookup. So the conversion is kept by the range's content: pyuno gives a tuple of tuples,
    hashed and compared in C, and an equal range (as ==: 1.0 and TRUE, "" never None) always
    converts to the same rows, so a hit is always right. Unhashable blocks convert each time.
    """
    if value is None:
        return None
    if not _is_block(value):
        return ((_cell(value),),)
    try:
        return _RANGES[value]
    except KeyError:
        pass
    except TypeError:  # a list, or a row that is one: not hashable
        return _convert_rows(value)
    rows = _convert_rows(value)
    if len(_RANGES) >= _RANGES_KEPT:
        _RANGES.pop(next(iter(_RANGES)))
    _RANGES[value] = rows
    return rows


def _scalar(value):
    if not _is_block(value):
        return _cell(value)
    cells = [_cell(v) for row in value for v in (row if _is_block(row) else (row,))]
    if len(cells) == 1:
        return cells[0]
    return tuple(v for v in cells if v is not None)


def to_registry(function, values):
    """The spreadsheet's values for ``function``'s arguments, in the registry's convention."""
    return tuple(_rows(v) if arg.kind == RANGE else _scalar(v) for arg, v in zip(function.args, values))


def _result_cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, (int, float)):
        return float(value)
    return str(value)


def to_uno(function, result):
    """The registry's result as Calc takes it: float or str, or a tuple of rows for an array."""
    if function.returns != "array":
        return _result_cell(result)
    rows = tuple(tuple(_result_cell(v) for v in row) if _is_block(row) else (_result_cell(row),) for row in result)
    width = max((len(r) for r in rows), default=0)
    if not rows or not width:
        return (("",),)
    return tuple(r + ("",) * (width - len(r)) for r in rows)


def call(function, values, value_error):
    """Call a registry function with what Calc passed; a wrong argument raises
    ``value_error(message)`` (the component passes the UNO exception that makes Calc show
    #VALUE!)."""
    try:
        return to_uno(function, function(*to_registry(function, values)))
    except ValueError as exc:  # CellValueError and ArgumentError are ValueErrors
        raise value_error(f"{function.name}: {exc}") from None
