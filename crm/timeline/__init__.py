"""One timeline per company and per contact (crm/timeline/services.py)."""
