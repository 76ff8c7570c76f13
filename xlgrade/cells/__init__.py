"""Cell functions (ABCGRADE and its siblings): one registry, standard library only.

See :mod:`xlgrade.cells.model` for the rules every entry follows and
:mod:`xlgrade.cells.registry` for the functions.
"""

from .model import Arg, CellFunction, CellValueError
from .registry import FUNCTIONS, by_name

__all__ = ["FUNCTIONS", "by_name", "CellFunction", "Arg", "CellValueError"]
