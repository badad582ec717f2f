"""How SNS vouches for what it sends: an RSA key, the X.509 certificate it publishes at the
`SigningCertURL`, and signatures over the fields AWS documents.

AWS ("Verifying the signatures of Amazon SNS messages"): the string to sign is, for each of
the message's signed fields in byte order, the field's name, a newline, its value and a
newline. A Notification signs Message, MessageId, Subject (when it has one), Timestamp,
TopicArn and Type; a SubscriptionConfirmation or UnsubscribeConfirmation signs Message,
MessageId, SubscribeURL, Timestamp, Token, TopicArn and Type. SignatureVersion 1 is
SHA1withRSA, 2 (the topic's `SignatureVersion` attribute) SHA256withRSA; the signature is
base64-encoded.

The key is made once per data directory (`sns-signing.pem`, mode 0600, the key and its
self-signed certificate together so they can never disagree) the first time something is
signed or the certificate is asked for.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import os
import threading
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

FILE_NAME = "sns-signing.pem"
KEY_BITS = 2048
VALID_DAYS = 3650
SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
    "UnsubscribeConfirmation": (
        "Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type",
    ),
}  # fmt: skip
_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


def string_to_sign(document: dict) -> str:
    """The text a message's Signature covers, from the fields of the document itself
    (a field it lacks, as a Notification without a Subject, is left out)."""
    fields = SIGNED_FIELDS[document["Type"]]
    return "".join(f"{name}\n{document[name]}\n" for name in fields if name in document)


class Signer:
    """Signs documents with this server's SNS key; `path` keeps the key and certificate
    (":memory:" for a throwaway key in tests)."""

    def __init__(self, path: Path | str) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._key: rsa.RSAPrivateKey | None = None
        self._certificate: bytes | None = None

    def sign(self, document: dict, version: str) -> str:
        """The Signature of a document for a SignatureVersion ("1" or "2")."""
        key, _ = self._loaded()
        digest = _HASHES.get(version, hashes.SHA1)()
        signature = key.sign(string_to_sign(document).encode(), padding.PKCS1v15(), digest)
        return base64.b64encode(signature).decode()

    def certificate(self) -> bytes:
        """The certificate, PEM-encoded, as served at the SigningCertURL."""
        return self._loaded()[1]

    def certificate_name(self) -> str:
        """`SimpleNotificationService-<32 hex digits>.pem`, as AWS names its certificates;
        the digits identify this certificate (a new key gets a new name)."""
        digest = hashlib.md5(self.certificate(), usedforsecurity=False).hexdigest()
        return f"SimpleNotificationService-{digest}.pem"

    def _loaded(self) -> tuple[rsa.RSAPrivateKey, bytes]:
        with self._lock:
            if self._key is None:
                self._key, self._certificate = _load_or_make(self.path)
            return self._key, self._certificate


def _load_or_make(path: Path | str) -> tuple[rsa.RSAPrivateKey, bytes]:
    if str(path) == ":memory:":
        return _make()
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key, certificate = _make()
        _write_once(path, _key_pem(key) + certificate)
    return _parse(path.read_bytes())


def _make() -> tuple[rsa.RSAPrivateKey, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Overcast"),
            x509.NameAttribute(NameOID.COMMON_NAME, "Overcast SNS message signing"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=VALID_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _write_once(path: Path, data: bytes) -> None:
    """Create `path` (0600) holding `data`, unless another process made it first: written to
    a private temporary file, then linked into place, which fails if the name exists."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process's key won: use that one
    finally:
        temporary.unlink(missing_ok=True)


def _parse(data: bytes) -> tuple[rsa.RSAPrivateKey, bytes]:
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the SNS signing key is not an RSA key")
    start = data.index(b"-----BEGIN CERTIFICATE-----")
    certificate = x509.load_pem_x509_certificate(data[start:])
    if certificate.public_key().public_numbers() != key.public_key().public_numbers():
        raise ValueError("the SNS signing certificate is not the signing key's")
    return key, certificate.public_bytes(serialization.Encoding.PEM)
