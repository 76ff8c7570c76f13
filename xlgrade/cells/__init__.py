"""Cell functions (ABCGRADE and its siblings): one registry, standard library only.

See :mod:`xlgrade.cells.model` for the rules every entry follows and
:mod:`xlgrade.cells.registry` for the functions. The registry (every function, their
arguments and defaults) is imported when first asked for (``FUNCTIONS``, ``by_name``), not
with the package: the engine imports only the package's formatting (:mod:`.text`) and
explanations (:mod:`.explain`), and ``xlgrade grade`` pays for no cell function.
"""

from typing import Any

from .model import Arg, CellFunction, CellValueError

__all__ = ["FUNCTIONS", "by_name", "CellFunction", "Arg", "CellValueError"]
_FROM_REGISTRY = ("FUNCTIONS", "by_name")


def __getattr__(name: str) -> Any:
    if name in _FROM_REGISTRY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
