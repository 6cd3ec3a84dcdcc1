"""Editors' sign-in: an argon2 password hash in the settings, and a limit on tries.

The password itself is never stored, logged or returned: :func:`hash_password` makes the
hash an operator puts in the settings (``python -m geo hash-password``), and
:func:`verify_password` checks a typed password against it with argon2-cffi, whose
comparison takes the same time wherever the two differ. :class:`TryLimiter` allows at
most a few failed tries a minute per session and more for the whole server, then makes
everyone wait.
"""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from geo.errors import GeoError

_HASHER = PasswordHasher()  # argon2id, the library's recommended parameters


class AuthError(GeoError, ValueError):
    """A password hash in the settings is not an argon2 hash."""


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (a new random salt each time)."""
    if not password:
        raise ValueError("an empty password cannot be hashed")
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``. :class:`AuthError` when the hash is
    not an argon2 hash (a setting to fix, not a wrong password)."""
    if not password_hash.startswith("$argon2"):
        raise AuthError("the editor password hash is not an argon2 hash: make one with "
                        "`python -m geo hash-password`")
    try:
        return _HASHER.verify(password_hash, password)
    except VerifyMismatchError:
        return False
    except (InvalidHashError, VerificationError) as err:  # the hash cannot be decoded
        raise AuthError("the editor password hash is damaged: make a new one with "
                        "`python -m geo hash-password`") from err


@dataclass
class TryLimiter:
    """Failed sign-in tries in the last ``window`` seconds: at most ``per_session`` for
    one session and ``per_server`` for all of them; beyond that, :meth:`wait` says how
    many seconds are left before the next try. Thread-safe (one per server)."""

    per_session: int = 5
    per_server: int = 30
    window: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _by_session: dict[str, deque[float]] = field(default_factory=dict, repr=False)
    _all: deque[float] = field(default_factory=deque, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _forget_old(self, now: float) -> None:
        for tries in (self._all, *self._by_session.values()):
            while tries and tries[0] <= now - self.window:
                tries.popleft()
        for key in [k for k, v in self._by_session.items() if not v]:
            del self._by_session[key]

    def wait(self, session: str) -> float:
        """Seconds before ``session`` may try again (0: now)."""
        with self._lock:
            now = self.clock()
            self._forget_old(now)
            mine = self._by_session.get(session, deque())
            waits = [0.0]
            if len(mine) >= self.per_session:
                waits.append(mine[-self.per_session] + self.window - now)
            if len(self._all) >= self.per_server:
                waits.append(self._all[-self.per_server] + self.window - now)
            return max(waits)

    def failed(self, session: str) -> None:
        """Count a failed try of ``session``."""
        with self._lock:
            now = self.clock()
            self._by_session.setdefault(session, deque()).append(now)
            self._all.append(now)


def sign_in(limiter: TryLimiter, session: str, password_hash: str | None,
            password: str) -> tuple[bool, str]:
    """Check one sign-in try: ``(signed in, message for the visitor)``. Refused without a
    check while the limiter says to wait; a wrong password counts as a failed try."""
    if not password_hash:
        return False, "Editing is not available on this dashboard."
    wait = limiter.wait(session)
    if wait > 0:
        return False, f"Too many tries: wait {max(1, round(wait))} s and try again."
    if verify_password(password_hash, password):
        return True, "Signed in."
    limiter.failed(session)
    return False, "Wrong password."
