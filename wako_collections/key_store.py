"""The application's key store: AES-256-GCM sealing under INDIVIDUAL_NUMBER_KEYS (settings.py reads
them from the environment or a key file, never from SECRET_KEY and never from the database).

A sealed value is "v1.<key id>.<base64(nonce + ciphertext)>": the id names its key, so keys can be
rotated (the first listed is current; `rotate_individual_number_key` seals everything again). Each
use binds associated data of its own — the 宛名番号 for a 個人番号 (taxpayers.individual_numbers),
"otp-totp:<staff id>" for an authenticator secret (accounts.AuthenticatorApp) — so a value copied to
another row or column does not open. A wrong or missing key raises KeyStoreError; ciphertext is
never returned in a value's place."""

from __future__ import annotations

import base64
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

FORMAT_VERSION = "v1"


class KeyStoreError(RuntimeError):
    """The value cannot be opened with the configured keys (the message names what it was)."""


def current_key_id() -> str:
    return settings.INDIVIDUAL_NUMBER_KEYS[0][0]


def _key(key_id: str, what: str) -> bytes:
    for candidate_id, key in settings.INDIVIDUAL_NUMBER_KEYS:
        if candidate_id == key_id:
            return key
    raise KeyStoreError(f"{what}の鍵 {key_id} が設定されていません。")


def seal(plaintext: bytes, *, associated: bytes) -> str:
    key_id, key = settings.INDIVIDUAL_NUMBER_KEYS[0]
    nonce = os.urandom(12)
    sealed = AESGCM(key).encrypt(nonce, plaintext, associated)
    return f"{FORMAT_VERSION}.{key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def unseal(token: str, *, associated: bytes, what: str) -> bytes:
    try:
        version, key_id, payload = token.split(".", 2)
        raw = base64.urlsafe_b64decode(payload.encode())
    except ValueError:
        raise KeyStoreError(f"{what}の暗号文の形式が正しくありません。") from None
    if version != FORMAT_VERSION:
        raise KeyStoreError(f"{what}の暗号文の版 {version} には対応していません。")
    try:
        return AESGCM(_key(key_id, what)).decrypt(raw[:12], raw[12:], associated)
    except InvalidTag:
        raise KeyStoreError(f"{what}を復号できません（鍵が違うか、値が改ざんされています）。") from None


def key_id_of(token: str) -> str:
    return token.split(".", 2)[1]


def parse_keys(text: str) -> tuple[list[tuple[str, bytes]], bytes | None]:
    """Reads "id:base64key" entries (comma or newline separated; the first is current) and an
    optional "hmac:base64key" entry. Each key must be 32 bytes."""
    keys: list[tuple[str, bytes]] = []
    hmac_key = None
    for entry in re.split(r"[,\n]", text):
        entry = entry.strip()
        if not entry or entry.startswith("#"):
            continue
        key_id, _, encoded = entry.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            raise ValueError(f"個人番号の鍵 {key_id} が base64 ではありません。") from None
        if len(key) != 32:
            raise ValueError(f"個人番号の鍵 {key_id} は32バイト（AES-256）である必要があります。")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,20}", key_id):
            raise ValueError(f"鍵ID {key_id!r} は英数字20文字以内にしてください。")
        if key_id == "hmac":
            hmac_key = key
        else:
            keys.append((key_id, key))
    return keys, hmac_key
