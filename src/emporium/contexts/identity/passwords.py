"""Password hashing with argon2id (argon2-cffi), off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Passwords:
    """Hashes and verifies passwords; the work factor comes from settings."""

    def __init__(self, *, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, type=Type.ID)
        self._dummy_hash: str | None = None

    async def hash(self, password: str) -> str:
        """The argon2id hash of password (salted; never the same twice)."""
        # argon2-cffi releases the GIL, so a thread keeps the loop serving other requests.
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether password matches; with no hash (unknown email) it does the same work, False."""
        if password_hash is None:
            # Verify against a real hash anyway, so an unknown email takes as long as a
            # wrong password and response times do not reveal which accounts exist.
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash("not-a-password-of-anyone")
            await asyncio.to_thread(self._matches, self._dummy_hash, password)
            return False
        return await asyncio.to_thread(self._matches, password_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than today's."""
        return bool(self._hasher.check_needs_rehash(password_hash))

    def _matches(self, password_hash: str, password: str) -> bool:
        try:
            return bool(self._hasher.verify(password_hash, password))
        except (VerificationError, InvalidHashError):
            return False
