"""Helpers shared by the tests (fixtures stay in conftest.py): reading a run, running the pipeline, the dbt manifest."""
