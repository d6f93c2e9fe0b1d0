"""`Closing`: `with` and `async with` for any object that has `close()` and `aclose()`."""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Self


class Closing(ABC):
    """Mixin: `with x:` calls `x.close()` on the way out, `async with x:` awaits `x.aclose()`.

    Subclasses implement both methods; neither is called on the way in.
    """

    @abstractmethod
    def close(self) -> None:
        """Release what the object holds."""

    @abstractmethod
    async def aclose(self) -> None:
        """Async `close`."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()
