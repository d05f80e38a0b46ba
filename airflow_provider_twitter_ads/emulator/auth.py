"""OAuth 1.0a (HMAC-SHA1) signature checks with oauthlib's server side."""

from __future__ import annotations

from typing import Any

from oauthlib.oauth1 import RequestValidator, SignatureOnlyEndpoint

from airflow_provider_twitter_ads.emulator.state import EmulatorConfig

# oauthlib rejects reused nonces only if the validator remembers them; we remember a bounded window.
_NONCE_MEMORY = 100_000


class _Validator(RequestValidator):
    """Accepts exactly the configured consumer and access token; remembers recent nonces."""

    enforce_ssl = False

    def __init__(self, config: EmulatorConfig) -> None:
        super().__init__()
        self.config = config
        self._nonces: dict[tuple[str, str, str], None] = {}

    # The defaults demand 20-30 character keys of a narrow alphabet; real X keys vary.
    def check_client_key(self, client_key: str) -> bool:
        return bool(client_key)

    def check_access_token(self, request_token: str) -> bool:
        return bool(request_token)

    def check_nonce(self, nonce: str) -> bool:
        return bool(nonce)

    @property
    def dummy_client(self) -> str:
        return "dummy-client"

    @property
    def dummy_access_token(self) -> str:
        return "dummy-access-token"

    def validate_client_key(self, client_key: str, request: Any) -> bool:
        return client_key == self.config.consumer_key

    def validate_access_token(self, client_key: str, token: str, request: Any) -> bool:
        return token == self.config.access_token

    def get_client_secret(self, client_key: str, request: Any) -> str:
        return self.config.consumer_secret if client_key == self.config.consumer_key else "dummy"

    def get_access_token_secret(self, client_key: str, token: str, request: Any) -> str:
        return self.config.access_token_secret if token == self.config.access_token else "dummy"

    def validate_timestamp_and_nonce(
        self, client_key: str, timestamp: str, nonce: str, request: Any, **kwargs: Any
    ) -> bool:
        key = (client_key, timestamp, nonce)
        if key in self._nonces:
            return False
        self._nonces[key] = None
        if len(self._nonces) > _NONCE_MEMORY:
            self._nonces.pop(next(iter(self._nonces)))
        return True


class SignatureVerifier:
    """Checks one request's OAuth 1.0a signature, consumer key and access token."""

    def __init__(self, config: EmulatorConfig) -> None:
        self._validator = _Validator(config)
        self._endpoint = SignatureOnlyEndpoint(self._validator)

    def verify(self, uri: str, method: str, body: str | None, headers: dict[str, str]) -> bool:
        """True when the request is signed by the configured consumer and access token."""
        if "authorization" not in {k.lower() for k in headers}:
            return False
        valid, request = self._endpoint.validate_request(uri, method, body, headers)
        if not valid or request is None:
            return False
        return request.resource_owner_key == self._validator.config.access_token
