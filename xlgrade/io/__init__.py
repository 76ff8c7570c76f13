"""Everything in xlgrade that reads or writes files lives in this package.

Accepts paths to CSV files and workbooks; refuses nothing itself (see each module).
:mod:`xlgrade.io.tables` reads one sheet table into a typed, checked frame.
"""

from xlgrade.io.tables import read_table

__all__ = ["read_table"]
