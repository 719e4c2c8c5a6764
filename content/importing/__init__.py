"""Bulk import of the catalog from CSV/XLSX: read, validate (dry run), apply."""
