"""GetRandomPassword: a password from the character classes asked for, with at least one
character of each (RequireEachIncludedType, true by default), drawn with `secrets`."""

from __future__ import annotations

import secrets
import string

from overcast.services.secretsmanager.errors import InvalidParameterException

# Secrets Manager's punctuation: the printable ASCII symbols.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"


def random_password(p: dict) -> str:
    length = p.get("PasswordLength", 32)
    excluded = set(p.get("ExcludeCharacters") or "")
    classes = [
        chars
        for chars, skip in (
            (string.ascii_lowercase, p.get("ExcludeLowercase")),
            (string.ascii_uppercase, p.get("ExcludeUppercase")),
            (string.digits, p.get("ExcludeNumbers")),
            (PUNCTUATION, p.get("ExcludePunctuation")),
            (" ", not p.get("IncludeSpace")),
        )
        if not skip
    ]
    classes = [[c for c in chars if c not in excluded] for chars in classes]
    classes = [chars for chars in classes if chars]
    require = p.get("RequireEachIncludedType", True)
    if not classes or (require and length < len(classes)):
        raise InvalidParameterException(
            "The password length is too short to include a character of each required type."
            if classes
            else "You can't exclude every character from a password."
        )
    pool = [c for chars in classes for c in chars]
    chosen = [secrets.choice(chars) for chars in classes] if require else []
    chosen += [secrets.choice(pool) for _ in range(length - len(chosen))]
    secrets.SystemRandom().shuffle(chosen)
    return "".join(chosen)
