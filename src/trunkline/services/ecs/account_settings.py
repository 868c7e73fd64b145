"""ECS PutAccountSetting, PutAccountSettingDefault, DeleteAccountSetting, ListAccountSettings."""

from __future__ import annotations


class AccountSettingOps:
    pass
