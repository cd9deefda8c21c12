"""Local adapters (SQLite file, folder on disk) for the contract suites. See conftest.py."""

CONTENT_REPOS: dict = {}
BLOB_STORES: dict = {}
USER_DIRECTORIES: dict = {}
AUDIT_LOGS: dict = {}
