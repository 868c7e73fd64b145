"""ECS PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, ListAccountSettings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from trunkline.context import RequestContext
from trunkline.domain.ecs import account_settings

if TYPE_CHECKING:  # the request shapes are types only: importing them costs start-up time
    from trunkline.wire.shapes import ecs as shapes

Params = dict[str, Any]


class AccountSettingOps:
    def put_account_setting(self, ctx: RequestContext, params: shapes.PutAccountSettingRequest) -> Params:
        setting = account_settings.put_setting(ctx, params["name"], params["value"], params.get("principalArn"))
        return {"setting": setting}

    def put_account_setting_default(
        self, ctx: RequestContext, params: shapes.PutAccountSettingDefaultRequest
    ) -> Params:
        return {"setting": account_settings.put_default(ctx, params["name"], params["value"])}

    def delete_account_setting(self, ctx: RequestContext, params: shapes.DeleteAccountSettingRequest) -> Params:
        return {"setting": account_settings.delete_setting(ctx, params["name"], params.get("principalArn"))}

    def list_account_settings(self, ctx: RequestContext, params: shapes.ListAccountSettingsRequest) -> Params:
        settings, token = account_settings.list_settings(ctx, params)
        result: Params = {"settings": settings}
        if token is not None:
            result["nextToken"] = token
        return result
