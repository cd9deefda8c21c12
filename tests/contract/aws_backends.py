"""AWS adapters on moto for the contract suites. See conftest.py."""

CONTENT_REPOS: dict = {}
BLOB_STORES: dict = {}
USER_DIRECTORIES: dict = {}
AUDIT_LOGS: dict = {}
