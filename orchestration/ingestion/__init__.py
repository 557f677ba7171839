"""Ingestion: land upstream deliveries immutably, then load each exactly once into raw tables."""

from orchestration.ingestion.ingest import IngestSummary, ingest_all, ingest_source

__all__ = ["IngestSummary", "ingest_all", "ingest_source"]
