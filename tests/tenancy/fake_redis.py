"""A Redis stand-in for the kept stores' own rules (tokens, ages, sizes), and one that is away."""

from __future__ import annotations


class FakeRedis:
    def __init__(self):
        self.values: dict[str, bytes] = {}

    def get(self, key: str):
        return self.values.get(key)

    def set(self, key: str, value: str, nx: bool = False):
        if nx and key in self.values:
            return None
        self.values[key] = value.encode()
        return True


class AwayRedis:
    def get(self, key: str):
        raise ConnectionError("Redis is away")

    def set(self, key: str, value: str, nx: bool = False):
        raise ConnectionError("Redis is away")
