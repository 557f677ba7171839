"""The engines dbt builds the models on besides the DuckDB warehouse (DESIGN.md §4)."""
