"""Shared fixtures. The suite runs on SQLite by default, on PostgreSQL when DATABASE_URL says so."""
