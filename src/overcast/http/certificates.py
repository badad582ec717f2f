"""The server's HTTPS listener's certificates: a certificate authority of its own, made once
per data dir, and a server certificate it signs at each start.

Why HTTPS at all: code written for API Gateway builds its `@connections` endpoint as
`"https://" + requestContext.domainName + "/" + stage` (AWS's WebSocket chat samples, in
Python and JavaScript), so a function needs an HTTPS endpoint it trusts. The CA's key stays
in `<data dir>/tls/` (0700, key 0600); its certificate is published in `<data dir>/trust/`
beside a bundle of the public CAs plus ours, which environments are pointed at (Trust).
Both are written once per start, never per environment: a cold start pays nothing.
"""

from __future__ import annotations

import contextlib
import datetime
import ipaddress
import os
import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from overcast.config import TRUST_BUNDLE_FILE, TRUST_CA_FILE, WILDCARD_HOSTS

CA_NAME = "Overcast local CA"
CA_DAYS = 3650
SERVER_DAYS = 397  # the longest validity browsers and Apple's clients still accept
LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class Trust:
    """What environments are told to trust: `ca_file` holds only Overcast's CA (Node's
    NODE_EXTRA_CA_CERTS adds to its own store); `bundle_file` the public CAs and ours (the
    Python and OpenSSL variables replace the default store, so ours alone would break every
    real HTTPS call a function makes)."""

    folder: Path
    ca_file: Path
    bundle_file: Path


def _write(path: Path, data: bytes, mode: int) -> None:
    """Write `path` whole or not at all (an environment never reads half a bundle)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    # O_EXCL | O_NOFOLLOW: a name planted there beforehand (a link, say) is refused, not written
    with contextlib.suppress(FileNotFoundError):
        partial.unlink()
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    with os.fdopen(fd, "wb") as file:
        file.write(data)
    os.chmod(partial, mode)
    partial.replace(path)


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


class LocalCa:
    """The data dir's CA: loaded if it is there, else made (once)."""

    def __init__(self, data_dir: Path) -> None:
        self.private_dir = data_dir / "tls"
        self.public_dir = data_dir / "trust"
        self.private_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.public_dir.mkdir(mode=0o755, parents=True, exist_ok=True)
        os.chmod(self.private_dir, 0o700)
        os.chmod(self.public_dir, 0o755)
        self.key, self.certificate = self._load() or self._create()

    def _load(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None:
        key_file, cert_file = self.private_dir / "ca.key", self.private_dir / "ca.pem"
        if not (key_file.exists() and cert_file.exists()):
            return None
        os.chmod(key_file, 0o600)  # a key kept from before (or restored) stays the owner's alone
        key = serialization.load_pem_private_key(key_file.read_bytes(), None)
        certificate = x509.load_pem_x509_certificate(cert_file.read_bytes())
        expires = certificate.not_valid_after_utc - datetime.timedelta(days=SERVER_DAYS)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or expires < _now():
            return None  # made anew: clients trust it through the files written below
        return key, certificate

    def _create(self) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key()
        now = _now()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name(CA_NAME))
            .issuer_name(_name(CA_NAME))
            .public_key(public)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(cert_sign=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write(self.private_dir / "ca.key", _key_pem(key), 0o600)
        _write(self.private_dir / "ca.pem", _pem(certificate), 0o644)
        return key, certificate

    def server_context(self, host: str) -> ssl.SSLContext:
        """A server-side SSL context with a fresh certificate for the loopback names and
        `host` (the address the server listens on), signed by this CA."""
        key = ec.generate_private_key(ec.SECP256R1())
        now = _now()
        certificate = (
            x509.CertificateBuilder()
            .subject_name(_name("overcast"))
            .issuer_name(self.certificate.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
            .add_extension(x509.SubjectAlternativeName(_names(host)), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(cert_sign=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                critical=False,
            )
            .sign(self.key, hashes.SHA256())
        )
        # ssl loads a chain from files only: kept beside the CA's key, readable by us alone.
        chain, key_file = self.private_dir / "server.pem", self.private_dir / "server.key"
        _write(key_file, _key_pem(key), 0o600)
        _write(chain, _pem(certificate), 0o600)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(chain, key_file)
        return context

    def publish(self) -> Trust:
        """Write the files environments trust (rewritten at each start: the public CAs may
        have been updated since)."""
        ours = _pem(self.certificate)
        folder = self.public_dir
        trust = Trust(folder, folder / TRUST_CA_FILE, folder / TRUST_BUNDLE_FILE)
        _write(trust.ca_file, ours, 0o644)
        public = _public_cas()
        _write(trust.bundle_file, public.rstrip(b"\n") + b"\n\n" + ours if public else ours, 0o644)
        return trust


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def _usage(cert_sign: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _names(host: str) -> list[x509.GeneralName]:
    names: list[x509.GeneralName] = []
    for name in dict.fromkeys((*LOOPBACK, *(() if host in WILDCARD_HOSTS else (host,)))):
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            names.append(x509.DNSName(name))
    return names


def _public_cas() -> bytes:
    """The public CAs Python's HTTP clients trust: certifi's (what botocore and requests use
    when it is installed), else the system's OpenSSL file."""
    try:
        import certifi

        return Path(certifi.where()).read_bytes()
    except (ImportError, OSError):
        pass
    paths = ssl.get_default_verify_paths()
    for candidate in (paths.cafile, paths.openssl_cafile):
        if candidate and os.path.isfile(candidate):
            return Path(candidate).read_bytes()
    return b""
