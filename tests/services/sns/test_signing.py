"""The signing key and what it signs: AWS's documented strings to sign, SHA1 or SHA256, one
key per data directory made once and readable by its owner alone."""

from __future__ import annotations

import base64
import json
import stat
import threading

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from test_notification import SIGNER, URLS, message, subscription

from overcast.services.sns import notification
from overcast.services.sns.signing import Signer, string_to_sign


def check(document: dict, signature: str, algorithm: hashes.HashAlgorithm) -> None:
    public_key = x509.load_pem_x509_certificate(SIGNER.certificate()).public_key()
    public_key.verify(
        base64.b64decode(signature),
        string_to_sign(document).encode(),
        padding.PKCS1v15(),
        algorithm,
    )


def test_the_strings_to_sign_are_awss_examples() -> None:
    # The examples in AWS's guide ("Verifying the signatures of Amazon SNS messages").
    assert string_to_sign(
        {
            "Type": "Notification",
            "MessageId": "4d4dc071-ddbf-465d-bba8-08f81c89da64",
            "TopicArn": "arn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P",
            "Subject": "My subject",
            "Message": "My Test Message",
            "Timestamp": "2019-01-31T04:37:04.321Z",
            "SignatureVersion": "1",
            "UnsubscribeURL": "https://example.com/",
        }
    ) == (
        "Message\nMy Test Message\nMessageId\n4d4dc071-ddbf-465d-bba8-08f81c89da64\n"
        "Subject\nMy subject\nTimestamp\n2019-01-31T04:37:04.321Z\n"
        "TopicArn\narn:aws:sns:us-east-2:123456789012:s4-MySNSTopic-1G1WEFCOXTC0P\n"
        "Type\nNotification\n"
    )
    confirmation = {
        "Type": "SubscriptionConfirmation",
        "MessageId": "3d891288-136d-417f-bc05-901c108273ee",
        "Token": "233",
        "TopicArn": "arn:aws:sns:us-east-2:123456789012:t",
        "Message": "My Test Message",
        "SubscribeURL": "https://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription",
        "Timestamp": "2019-01-31T19:25:13.719Z",
    }
    assert string_to_sign(confirmation) == (
        "Message\nMy Test Message\nMessageId\n3d891288-136d-417f-bc05-901c108273ee\n"
        "SubscribeURL\nhttps://sns.us-east-2.amazonaws.com/?Action=ConfirmSubscription\n"
        "Timestamp\n2019-01-31T19:25:13.719Z\nToken\n233\n"
        "TopicArn\narn:aws:sns:us-east-2:123456789012:t\nType\nSubscriptionConfirmation\n"
    )


def test_envelopes_are_signed_sha1_or_sha256() -> None:
    for fields, version, algorithm in (
        ({}, "1", hashes.SHA1()),
        ({"subject": None}, "2", hashes.SHA256()),
    ):
        body = json.loads(
            notification.envelope(message(**fields), subscription("sqs"), URLS, version)
        )
        assert body["SignatureVersion"] == version
        check(body, body["Signature"], algorithm)
        with pytest.raises(InvalidSignature):
            check({**body, "Message": "forged"}, body["Signature"], algorithm)


def test_a_functions_event_says_version_1_even_when_signed_with_sha256() -> None:
    """What SNS does (a quirk LocalStack recorded from AWS): the event's SignatureVersion
    stays "1" while a version 2 topic's signature is SHA256withRSA."""
    sns = json.loads(notification.lambda_event(message(), subscription(), URLS, "2"))["Records"][0][
        "Sns"
    ]
    assert sns["SignatureVersion"] == "1"
    check(sns, sns["Signature"], hashes.SHA256())


def test_handshakes_are_signed_with_their_token_and_link() -> None:
    subscriber = subscription("https")
    subscriber.token = "ab" * 64
    for build, kind in (
        (notification.confirmation, "SubscriptionConfirmation"),
        (notification.unsubscribe_confirmation, "UnsubscribeConfirmation"),
    ):
        body = json.loads(build(subscriber, "id-1", "2024-01-02T03:04:05.678Z", URLS))
        assert body["Type"] == kind and body["Token"] == subscriber.token
        check(body, body["Signature"], hashes.SHA1())
        with pytest.raises(InvalidSignature):
            check({**body, "SubscribeURL": "http://elsewhere/"}, body["Signature"], hashes.SHA1())


def test_one_key_per_data_directory_made_once_and_private(tmp_path) -> None:
    path = tmp_path / "sns-signing.pem"
    signers = [Signer(path) for _ in range(4)]
    names: list[str] = []
    threads = [
        threading.Thread(target=lambda s=s: names.append(s.certificate_name())) for s in signers
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(names)) == 1  # racing to make it, all use the one that won
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["sns-signing.pem"]  # no leftovers
    assert Signer(path).certificate_name() == names[0]  # read back, not made again
