"""What a cell function is: its name, arguments, return kind and help, as plain data.

Rules of this module (and of the whole ``xlgrade.cells`` package):

1. Standard library only, and only relative imports inside the package: LibreOffice on
   Windows and macOS runs its own bundled Python (no pandas, no numpy), and the extension
   carries a copy of this package under another top-level name.
2. A :class:`CellFunction` is the single declaration every wrapper is generated from: the
   LibreOffice component, its IDL and function descriptions, the xlwings and VBA wrappers,
   and the docs page. Nothing else states a signature.
3. Implementations receive what the spreadsheet hands over, already reduced to Python:
   numbers as ``float``, text as ``str``, an empty cell or an omitted optional argument as
   ``None``, a range as a tuple of rows (tuples) of such values. They return ``float``,
   ``str`` or, for an array result, a tuple of rows.
4. A wrong argument (text that is not a number, a negative count, an unknown label) raises
   :class:`CellValueError`; every wrapper turns it into the spreadsheet's ``#VALUE!``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

# Argument kinds.
NUMBER, TEXT, DATE, RANGE = "number", "text", "date", "range"
ARG_KINDS = (NUMBER, TEXT, DATE, RANGE)
# Return kinds. A date is a spreadsheet serial number (days since 1899-12-30).
RETURN_KINDS = (NUMBER, TEXT, DATE, "array")


class CellValueError(ValueError):
    """An argument a person typed cannot be used; the spreadsheet shows #VALUE!.

    ``str(error)`` is the English message; ``error.zh`` the Chinese one (GRADEWHY shows
    either instead of #VALUE!). ``zh`` defaults to the English message.
    """

    def __init__(self, message: str, zh: str | None = None) -> None:
        super().__init__(message)
        self.en = message
        self.zh = zh if zh is not None else message

    def message(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Arg:
    name: str  # Python name, snake_case ("a_orders")
    kind: str  # NUMBER, TEXT, DATE or RANGE
    zh: str  # label in the Function Wizard, Chinese
    en: str  # label in the Function Wizard, English
    help_zh: str
    help_en: str
    optional: bool = False
    default: Any = None  # used when an optional argument is left out or empty

    def __post_init__(self) -> None:
        if self.kind not in ARG_KINDS:
            raise ValueError(f"argument {self.name}: unknown kind {self.kind!r}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", self.name):
            raise ValueError(f"argument {self.name}: names are lower snake_case")

    @property
    def idl_name(self) -> str:
        """The name in IDL and UNO, which reject underscores: ``a_orders`` -> ``aOrders``."""
        head, *rest = self.name.split("_")
        return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True)
class CellFunction:
    name: str  # the Excel name, upper case ("ABCGRADE")
    fn: Callable[..., Any]  # the implementation (rule 3)
    args: tuple[Arg, ...]
    returns: str  # one of RETURN_KINDS
    zh: str  # one-line description, Chinese
    en: str  # one-line description, English
    category: str = "Add-In"  # Function Wizard category
    # Worked out from ``args`` in __post_init__ (every cell of a sheet calls through here).
    _optional: tuple[tuple[int, Any], ...] = field(init=False, repr=False, compare=False)
    _n_required: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Z][A-Z0-9]*", self.name):
            raise ValueError(f"function {self.name}: Excel names are upper-case letters and digits")
        if self.returns not in RETURN_KINDS:
            raise ValueError(f"function {self.name}: unknown return kind {self.returns!r}")
        seen_optional = False
        for arg in self.args:
            if seen_optional and not arg.optional:
                raise ValueError(f"function {self.name}: required argument {arg.name} after an optional one")
            seen_optional = seen_optional or arg.optional
        object.__setattr__(self, "_optional", tuple((i, a.default) for i, a in enumerate(self.args) if a.optional))
        object.__setattr__(self, "_n_required", len(self.args) - len(self._optional))

    @property
    def required(self) -> tuple[Arg, ...]:
        return tuple(a for a in self.args if not a.optional)

    def __call__(self, *values: Any) -> Any:
        """Call with spreadsheet values; missing or empty optional arguments take their default."""
        n = len(values)
        if n > len(self.args):
            raise CellValueError(f"{self.name} takes at most {len(self.args)} arguments")
        if n < self._n_required:
            raise CellValueError(f"{self.name} needs at least {self._n_required} arguments")
        filled = list(values)
        filled.extend([None] * (len(self.args) - n))
        for i, default in self._optional:
            v = filled[i]
            if v is None or v == "":
                filled[i] = default
        return self.fn(*filled)
