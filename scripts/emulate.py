"""Run the app in aws mode against an embedded AWS emulator (moto): no account, nothing kept.

    make emulate                                    # http://localhost:8501, opens a browser
    python -m scripts.emulate --port 8502 --no-browser
    python -m scripts.emulate --events 2000         # and a month of sample usage (~80 s more)

What it does, in order:
1. starts moto's ThreadedMotoServer on 127.0.0.1 (a free port) and points every AWS client of
   this process and of the app at it (AWS_ENDPOINT_URL, fake credentials);
2. creates the tables and the bucket with ``provision_aws`` (as scripts/bootstrap_aws.py
   does), named as a stack with the default prefix names them (``demo-factory-content``, ...,
   ``demo-factory-files-<moto's account>-us-east-1``), and, for Cognito sign-in, a user pool
   with its app client and the four role groups (as deploy/cloudformation.yaml does);
3. creates sample users whose passwords are generated now and printed once, here, and loads
   the sample content;
4. runs ``streamlit run server.py`` with DEMO_FACTORY_EMULATION=true (every page says that this is
   an emulation) and stops moto when Streamlit exits (Ctrl+C). All data is gone then.

moto's Cognito is patched where it answers otherwise than AWS in the app's flows
(scripts/emulated_cognito.py): a reset password is refused, and the reset code AWS would mail
is printed on this console instead (no mail is sent; only that code works). Its DynamoDB
transactions copy the items they write, not whole tables, and its list of every object it ever
made is emptied after each request (scripts/emulated_dynamodb.py): an emulation left running
no longer slows down and grows with every click.

Amazon Bedrock is not emulated: with DEMO_FACTORY_EMULATION the report page offers only the
offline narrator (report_models in services/bootstrap.py), the admin's Bedrock check page and
the doctor say that the emulation has no Bedrock (one rule: emulated_without_bedrock in
services/ops/bedrock_check.py), and the Bedrock endpoints point at a closed local port, so that
nothing could reach AWS anyway.
"""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.server import ThreadedMotoServer
from werkzeug.serving import ThreadedWSGIServer, make_server

from scripts.emulated_cognito import cognito_as_on_aws
from scripts.emulated_dynamodb import forget_copies, transactions_without_table_copies
from scripts.seed_demo import seed_events
from services.accounts.sign_in.base import group_names
from services.bootstrap import (
    Services,
    aws_client,
    build_services,
    provision_aws,
)
from services.domain.permissions import Role
from services.errors import DemoFactoryError
from services.i18n import translate
from services.resource_names import DEFAULT_RESOURCE_PREFIX
from services.settings import AWS_REQUIRED, ENV_PREFIX, Settings, load_settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment
    from types_boto3_cognito_idp.client import CognitoIdentityProviderClient
    from types_boto3_cognito_idp.literals import ExplicitAuthFlowsTypeType

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
EVENT_DAYS = 30  # --events: a month of sample traffic, the dashboards' 30-day view filled
# The stack's default NamePrefix: the emulated tables, bucket and pool are named as deployed.
PREFIX = DEFAULT_RESOURCE_PREFIX
# The app client as UserPoolClient in deploy/cloudformation.yaml makes it (a test compares
# them): its sign-in flows, and the attributes its tokens carry (moto puts only the readable
# ones in the ID token: without ``name`` every user is shown by their user name) and that a
# user may write with their own access token (the email only while sign-up is on).
AUTH_FLOWS: tuple[ExplicitAuthFlowsTypeType, ...] = (
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_ADMIN_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
)
READ_ATTRIBUTES = ("email", "email_verified", "name", "locale", "zoneinfo")
WRITE_ATTRIBUTES = ("locale", "zoneinfo")
SIGNUP_WRITES = ("email",)
# Nothing listens on the discard port: Bedrock calls fail at once ("unreachable").
UNREACHABLE = "http://127.0.0.1:9"
# Variables of the developer's own AWS set-up that must not leak into the emulation.
# Nor may names of the developer's own tables or bucket: every name follows from the prefix.
_CLEARED = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE",
            *(ENV_PREFIX + setting.upper() for setting in AWS_REQUIRED))


@dataclass(frozen=True)
class SampleUser:
    username: str
    name: str
    role: Role
    password: str


class Stop(Exception):
    """SIGTERM: leave like on Ctrl+C, through the clean-up."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stop


def emulation_env(endpoint: str, data_dir: Path) -> dict[str, str]:
    """Environment of the emulated app: moto for every AWS service, fake credentials,
    aws mode with the resource prefix (every name follows from it) and a fresh cookie key."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ENDPOINT_URL_BEDROCK": UNREACHABLE,
        "AWS_ENDPOINT_URL_BEDROCK_RUNTIME": UNREACHABLE,
        "AWS_ACCESS_KEY_ID": "emulated",
        "AWS_SECRET_ACCESS_KEY": "emulated",  # moto accepts any key
        "AWS_SESSION_TOKEN": "emulated",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "DEMO_FACTORY_BACKEND": "aws",
        "DEMO_FACTORY_AWS_REGION": REGION,
        "DEMO_FACTORY_RESOURCE_PREFIX": PREFIX,
        "DEMO_FACTORY_COOKIE_KEY": secrets.token_urlsafe(48),
        "DEMO_FACTORY_DATA_DIR": str(data_dir),
        "DEMO_FACTORY_EMULATION": "true",
    }


def create_user_pool(client: CognitoIdentityProviderClient, settings: Settings) -> tuple[str, str]:
    """A pool like the stack's (visitors may sign up unless sign-up is off, length-only
    password rule), a public app client as the stack's (flows, readable and writable
    attributes, token lifetimes), and one group per role. Returns (pool, client)."""
    pool = client.create_user_pool(
        PoolName=f"{PREFIX}-users",
        UsernameConfiguration={"CaseSensitive": False},
        AutoVerifiedAttributes=["email"],
        AdminCreateUserConfig={"AllowAdminCreateUserOnly": settings.signup == "off"},
        Policies={"PasswordPolicy": {
            "MinimumLength": 10, "RequireLowercase": False, "RequireUppercase": False,
            "RequireNumbers": False, "RequireSymbols": False,
            "TemporaryPasswordValidityDays": 7,
        }},
    )["UserPool"]["Id"]
    writable = [*(SIGNUP_WRITES if settings.signup != "off" else ()), *WRITE_ATTRIBUTES]
    app = client.create_user_pool_client(
        UserPoolId=pool, ClientName=f"{PREFIX}-app", GenerateSecret=False,
        ExplicitAuthFlows=list(AUTH_FLOWS), PreventUserExistenceErrors="ENABLED",
        ReadAttributes=list(READ_ATTRIBUTES), WriteAttributes=writable,
        EnableTokenRevocation=True,
        AccessTokenValidity=60, IdTokenValidity=60, RefreshTokenValidity=7,
        TokenValidityUnits={"AccessToken": "minutes", "IdToken": "minutes",
                            "RefreshToken": "days"},
    )["UserPoolClient"]
    for group in group_names(settings).values():
        client.create_group(UserPoolId=pool, GroupName=group)
    return str(pool), str(app["ClientId"])


def new_password() -> str:
    return secrets.token_urlsafe(12)  # 16 characters, never a fixed default


def seed_users(services: Services) -> list[SampleUser]:
    """The first administrator (permanent password) and an author and an analyst (their
    passwords are temporary, as for any user an administrator creates: a new one is chosen at
    the first sign-in)."""
    admin = SampleUser("admin", "김관리", Role.ADMIN, new_password())
    user = services.accounts.create_first_admin(admin.username, admin.name,
                                                "admin@example.com", admin.password)
    actor = user.as_actor()
    others = [SampleUser("author", "이작성", Role.AUTHOR, new_password()),
              SampleUser("analyst", "박분석", Role.ANALYST, new_password())]
    for other in others:
        services.accounts.create_user(actor, other.username, other.name,
                                      f"{other.username}@example.com", other.password,
                                      frozenset({other.role}))
    return [admin, *others]


class SerialMotoServer(ThreadedMotoServer):
    """moto's server answering one request at a time. moto's DynamoDB ``TransactWriteItems``
    deep-copies every table to roll back, and another thread's write changed a table under
    the copy ("dictionary changed size during iteration"): the write failed with a 500, and an
    emulation left running with the app's tracker, counters and a seeding script writing at
    once grew to 22 GB and stopped answering (the copies were never freed either:
    scripts/emulated_dynamodb.py). One lock around the whole WSGI call (the body
    read inside it) makes moto's in-memory state single-threaded, as moto assumes."""

    def _server_entry(self) -> None:
        app = _one_at_a_time(DomainDispatcherApplication(create_backend_app))
        server = make_server(self._ip_address, self._port, app, True,
                             request_handler=MotoRequestHandler)
        assert isinstance(server, ThreadedWSGIServer)  # threaded=True
        # Stopping does not wait for requests still queued at the lock: their answers go to
        # an app that has stopped, and nothing is kept (a stop once took over a minute).
        server.block_on_close = False
        self._server = server
        self._server_ready_event.set()
        self._server.serve_forever()


def _one_at_a_time(app: WSGIApplication) -> WSGIApplication:
    lock = threading.Lock()

    def serve(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with lock:
            try:
                return list(app(environ, start_response))
            finally:
                forget_copies()

    return serve


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto HTTP server on 127.0.0.1 (a free port), for what needs real HTTP: presigned URLs,
    clients that follow AWS_ENDPOINT_URL. Its Cognito answers resets and sign-outs as AWS does
    (scripts/emulated_cognito.py), and its DynamoDB transactions copy only what they write
    (scripts/emulated_dynamodb.py). Yields its endpoint URL."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # a line per request otherwise
    with cognito_as_on_aws(), transactions_without_table_copies():
        server = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


def prepare(
    endpoint: str, data_dir: Path, auth: str, app_url: str, *, samples: bool = True,
    events: int = 0, days: int = EVENT_DAYS,
) -> tuple[dict[str, str], list[SampleUser]]:
    """Create every resource and the sample data (with ``events`` synthetic usage events on
    the sample items over ``days``, as ``scripts.seed_demo`` adds them); returns the app's
    environment and users."""
    env = emulation_env(endpoint, data_dir)
    for name in _CLEARED:
        os.environ.pop(name, None)
    os.environ.update(env)  # the AWS clients (here and in the app) follow these
    settings = load_settings()
    if auth == "cognito":
        pool, client_id = create_user_pool(aws_client("cognito-idp", settings), settings)
        env.update({"DEMO_FACTORY_AUTH": "cognito", "DEMO_FACTORY_COGNITO_USER_POOL_ID": pool,
                    "DEMO_FACTORY_COGNITO_APP_CLIENT_ID": client_id})
        os.environ.update(env)
        settings = load_settings()
    provision_aws(settings, cors_origins=[app_url])
    services = build_services(settings)
    users = seed_users(services)
    if samples:
        services.samples.ensure()
        if events > 0:
            seed_events(services, events, days, seed=2026)
    return env, users


def announce(endpoint: str, auth: str, users: list[SampleUser], app_url: str) -> None:
    lines = [
        "",
        "Demo Factory - AWS emulation: data is not kept (everything is gone when this stops)",
        f"  AWS emulator  {endpoint} (moto: DynamoDB, S3, Cognito; Bedrock not emulated: "
        "reports use the offline narrator)",
        f"  sign-in       {auth}",
        "  users (passwords are shown only now):",
    ]
    for user in users:
        note = (" (temporary: choose a new one at the first sign-in)"
                if user.role is not Role.ADMIN else "")
        lines.append(f"    user {user.username} / password {user.password}  "
                     f"[{user.role.value}]{note}")
    if auth == "cognito":
        lines.append("  mail          none is sent: password reset codes are printed here")
    lines += [f"  app           {app_url}", "  stop          Ctrl+C", ""]
    print("\n".join(lines), flush=True)


def run_streamlit(port: int, headless: bool, env: Mapping[str, str], data_dir: Path) -> int:
    cmd = [
        sys.executable, "-m", "streamlit", "run", "server.py",
        # `streamlit run` copies the root-level keys of a developer's .streamlit/secrets.toml
        # into the environment over ours (a DEMO_FACTORY_BACKEND or table name there would
        # point the emulated app elsewhere): read secrets from a file that does not exist.
        "--secrets.files", str(data_dir / "no-secrets.toml"),
        "--server.headless", str(headless).lower(),
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env})
    try:
        return proc.wait()
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.emulate",
                                     description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=8501, help="the app's port (default 8501)")
    parser.add_argument("--no-browser", action="store_true",
                        help="do not open a browser (Streamlit runs headless)")
    parser.add_argument("--auth", choices=("cognito", "local"), default="cognito",
                        help="sign-in: a Cognito pool on the emulator (default, as deployed) or "
                             "local accounts in the users table (AuthMode=local)")
    parser.add_argument("--events", type=int, default=0,
                        help="synthetic usage events on the sample items, so that the dashboards "
                             "have data (about 25 a second: 2000 take some 80 s; default none)")
    parser.add_argument("--days", type=int, default=EVENT_DAYS,
                        help=f"days of those events, ending today (default {EVENT_DAYS})")
    args = parser.parse_args(argv)
    auth = args.auth
    app_url = f"http://localhost:{args.port}"
    signal.signal(signal.SIGTERM, _stop)
    data_dir = Path(tempfile.mkdtemp(prefix="demo-factory-emulation-"))
    try:
        with moto_server() as endpoint:
            try:
                env, users = prepare(endpoint, data_dir, auth, app_url, events=args.events,
                                     days=args.days)
            except DemoFactoryError as exc:
                print(translate("en", exc.key, **exc.params), file=sys.stderr)
                return 2
            announce(endpoint, auth, users, app_url)
            return run_streamlit(args.port, args.no_browser, env, data_dir)
    except (KeyboardInterrupt, Stop):
        return 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
