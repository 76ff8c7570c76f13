"""Workbook files: templates (openpyxl), the part-by-part writer and the file-backed Book."""
