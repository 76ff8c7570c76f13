"""One declaration of each sheet: names, columns, types, validation and formats.

Templates, readers, writers and the validation report all derive from these objects;
nothing else in xlgrade spells a header.
"""

from xlgrade.schema.model import Column, Sheet
from xlgrade.schema.sheets import COMPLAINTS, CUSTOMERS, LEDGER, SHEETS, TABLES

__all__ = ["COMPLAINTS", "CUSTOMERS", "Column", "LEDGER", "SHEETS", "Sheet", "TABLES"]
