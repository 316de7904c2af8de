"""Files in, plain records out: read, detect the format, map columns, validate, report.

Knows nothing of Flask or the ORM (the save path is crm/imports)."""
