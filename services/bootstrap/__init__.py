"""The one composition root: ``build_services(settings) -> Services``.

Only this package knows which adapter serves which port in which mode (``ports``), and wires the
use cases to them (``wiring``); ``doctor``, ``aws`` and ``local_data`` are the factories the
scripts and the admin tools need. Clients are created here, never at import time, so tests and
scripts can build services against any endpoint.
"""

from services.bootstrap.aws import aws_client, legacy_source, provision_aws, resolve_aws_names
from services.bootstrap.doctor import doctor_checks, doctor_context
from services.bootstrap.local_data import backup_local, cookie_key, database_copier, restore_local
from services.bootstrap.ports import CognitoPorts, Ports, build_aws_ports, build_local_ports
from services.bootstrap.wiring import Services, build_services, report_models

__all__ = [
    "CognitoPorts", "Ports", "Services", "aws_client", "backup_local", "build_aws_ports",
    "build_local_ports", "build_services", "cookie_key", "database_copier", "doctor_checks",
    "doctor_context", "legacy_source", "provision_aws", "report_models", "resolve_aws_names",
    "restore_local",
]
