"""KMS's keys as other services use them (`types.Keys`, registered with the kernels): each use
for a caller is first authorized as KMS authorizes a service's call on that caller's behalf.

Parameter Store and Secrets Manager call KMS with their caller's credentials: "Any principal
that retrieves the decrypted value must have kms:Decrypt permission on that key" (Systems
Manager User Guide, "Restricting decryption of SecureString parameter values"); Secrets
Manager "acts on behalf of the user who is creating or changing the secret value", who needs
`kms:GenerateDataKey` and `kms:Decrypt` (Secrets Manager User Guide, "Permissions for the KMS
key"). So the check is the one KMS's own API makes (access.py, with the key's policy
required), with the keys a call through a service carries: `kms:ViaService`
(`ssm.us-east-1.amazonaws.com`), `kms:CallerAccount`, the encryption context's keys and
`kms:EncryptionAlgorithm`. The authorizer is read at each use: the factory makes it after
the services (`Kernels.request_auth`); without one (`--auth off`) every use is allowed.
"""

from __future__ import annotations

from overcast.aws.authorizer import Access, AllowAll, Authorizer, Need
from overcast.aws.request_auth import RequestAuth
from overcast.services.kms import ciphertext
from overcast.services.kms.access import KeyPolicies, context_conditions
from overcast.services.kms.crypto import Context, Cryptography
from overcast.services.kms.errors import InvalidCiphertextException
from overcast.types import KeyCaller


class ServiceKeys:
    """A `types.Keys` over KMS's `Cryptography`, authorizing each use for a `KeyCaller`."""

    def __init__(self, crypto: Cryptography, auth: RequestAuth | None = None) -> None:
        self.crypto = crypto
        self.registry = crypto.registry
        self.policies = KeyPolicies(crypto.registry)
        self.auth = auth

    def encrypt(
        self,
        region: str,
        key_id: str,
        plaintext: bytes,
        context: Context = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        if caller is not None:
            key = self.registry.find(region, key_id)  # NotFoundException before any check
            action = "kms:GenerateDataKey" if caller.envelope else "kms:Encrypt"
            self._authorize(caller, action, key.arn, context)
        return self.crypto.encrypt(region, key_id, plaintext, context)

    def decrypt(
        self,
        region: str,
        blob: bytes,
        context: Context = None,
        caller: KeyCaller | None = None,
    ) -> tuple[bytes, str]:
        if caller is not None:
            arn = self._key_of(region, blob)
            if arn is not None:  # otherwise decrypt answers InvalidCiphertextException
                self._authorize(caller, "kms:Decrypt", arn, context)
        return self.crypto.decrypt(region, blob, context)

    def _key_of(self, region: str, blob: bytes) -> str | None:
        try:
            key = self.registry.by_id(region, ciphertext.parse(blob).key_id)
        except InvalidCiphertextException:
            return None
        return key.arn if key is not None else None

    def _authorize(self, caller: KeyCaller, action: str, key_arn: str, context: Context) -> None:
        request = caller.request
        account = request.identity.account_id if request.identity else request.account_id
        conditions = context_conditions(context or {}) | {
            "kms:ViaService": f"{caller.service}.{request.region}.amazonaws.com",
            "kms:CallerAccount": account,
            "kms:EncryptionAlgorithm": "SYMMETRIC_DEFAULT",
        }
        access = Access((Need(action, key_arn),), conditions)
        self._authorizer().authorize(request, access, self.policies)

    def _authorizer(self) -> Authorizer:
        return self.auth.authorizer if self.auth is not None else AllowAll()
