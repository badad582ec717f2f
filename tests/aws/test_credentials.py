"""aws/credentials.py: KeyRings finds keys in its rings, fixed keys (the root's) first."""

from __future__ import annotations

from overcast.aws.credentials import Identity, KeyRings, SigningKey
from overcast.aws.root_key import RootKey

ROOT = Identity("arn:aws:iam::000000000000:root", "000000000000", "000000000000")
USER = Identity("arn:aws:iam::000000000000:user/u", "000000000000", "AIDAUSER")


class Ring:
    def __init__(self, *keys: SigningKey) -> None:
        self.keys = {k.access_key_id: k for k in keys}

    def find(self, access_key_id: str) -> SigningKey | None:
        return self.keys.get(access_key_id)


def test_the_root_keys_are_fixed_and_other_rings_are_asked_in_turn():
    root = RootKey(SigningKey("AKIAROOT", "s", ROOT))
    user = SigningKey("AKIAUSER", "u", USER)
    later = Ring()
    rings = KeyRings([root, Ring(user)])
    rings.add(later)
    assert rings.fixed == {"AKIAROOT": root.key}
    assert rings.rings[0] is root  # still a ring (the server's banner reads it there)
    assert rings.find("AKIAROOT") is root.key
    assert rings.find("AKIAUSER") is user
    assert rings.find("AKIALATER") is None
    later.keys["AKIALATER"] = added = SigningKey("AKIALATER", "l", USER)  # found as it comes
    assert rings.find("AKIALATER") is added


def test_identity_is_root_by_its_arn():
    assert ROOT.is_root and ROOT.is_root
    assert not USER.is_root
