"""`Closing`: `with` and `async with` for any object that has `close()` and `aclose()`."""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Closing:
    """Mixin: `with x:` calls `x.close()` on the way out, `async with x:` awaits `x.aclose()`.

    The class provides both methods; neither is called on the way in.
    """

    def close(self) -> None:
        raise NotImplementedError

    async def aclose(self) -> None:
        raise NotImplementedError

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
