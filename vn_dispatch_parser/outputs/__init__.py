"""Output forms: JSON/CSV/XLSX export, the register, searchable PDFs."""
