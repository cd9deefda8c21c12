"""deploy/cloudformation.yaml: the ``SelfSignUp`` parameter drives the pool (visitors may call
SignUp only while sign-up is on), the app client (SignUp writes the email) and the container's
``DEMO_FACTORY_SIGNUP``, with the same values and default as the setting."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from services.settings import Settings
from tests.infra.test_cloudformation import (
    Template,
    as_list,
    environment,
    props,
    resolve,
    statements,
)
from tests.infra.test_cloudformation import template as template  # the fixture


def _decided(template: Template, value: str) -> dict[str, bool]:
    """The template's SignUpOff condition, evaluated for SelfSignUp = ``value``."""
    condition = template["Conditions"]["SignUpOff"]
    assert condition == {"Fn::Equals": [{"Ref": "SelfSignUp"}, "off"]}
    return {"SignUpOff": value == "off"}


def test_the_parameter_offers_the_settings_modes_and_default(template: Template) -> None:
    parameter = template["Parameters"]["SelfSignUp"]
    field = Settings.model_fields["signup"]

    assert set(parameter["AllowedValues"]) == set(get_args(field.annotation))
    assert parameter["Default"] == field.default == "approval"


@pytest.mark.parametrize(("mode", "admin_only"), [("off", True), ("approval", False),
                                                   ("open", False)])
def test_the_parameter_decides_who_may_create_accounts_in_the_pool(
    template: Template, mode: str, admin_only: bool,
) -> None:
    config: Any = props(template, "UserPool")["AdminCreateUserConfig"]

    resolved = resolve(config, _decided(template, mode))

    assert resolved["AllowAdminCreateUserOnly"] is admin_only


@pytest.mark.parametrize("mode", ["off", "approval", "open"])
def test_sign_up_may_write_the_email_only_while_sign_up_is_on(template: Template,
                                                               mode: str) -> None:
    client = props(template, "UserPoolClient")

    writable = set(resolve(client["WriteAttributes"], _decided(template, mode)))

    assert ("email" in writable) is (mode != "off")
    assert "name" not in writable


def test_the_container_gets_the_mode_from_the_parameter(template: Template) -> None:
    assert environment(template)["DEMO_FACTORY_SIGNUP"] == {"Ref": "SelfSignUp"}


def test_the_task_role_may_set_a_sign_ups_name(template: Template) -> None:
    actions = [a for statement in statements(template) for a in as_list(statement["Action"])]
    assert "cognito-idp:AdminUpdateUserAttributes" in actions
