"""The sync server's HTTP API (FastAPI): routes, authentication, limits and error shapes."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync_server import __version__, wire
from sync_server.db import create_db_engine, migrate
from sync_server.service import ApiError, AuthenticatedDevice, SyncService

log = logging.getLogger("sync_server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Settings:
    database_url: str
    max_body_bytes: int = wire.MAX_BODY_BYTES
    run_migrations: bool = False


def _error(
    status: int,
    code: str,
    detail: str,
    errors: list[wire.ErrorItem] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = wire.ErrorResponse(code=code, detail=detail, errors=errors or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


class BodyLimit:
    """Refuses request bodies over the limit with 413 before any parsing happens."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                too_big = False
            if too_big:
                await self._refuse(scope, receive, send)
                return
        # Read (at most limit + 1 bytes of) the body up front so chunked uploads are bounded too.
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error(
            413,
            "too_large",
            f"request body exceeds {self.limit} bytes",
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _clean(text: str, limit: int = 200) -> str:
    # Field names come from the client: keep them printable, valid UTF-8 and short.
    text = text.encode("utf-8", "replace").decode("utf-8")
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text[:limit]


def _loc(parts: tuple[Any, ...] | list[Any]) -> str:
    return _clean(".".join(str(p) for p in parts))


def current_device(
    request: Request,
    authorization: Annotated[str | None, Header(max_length=300)] = None,
    # No length limit here: a bad version is ignored by the service, never a refused request.
    welcome_desk_version: Annotated[str | None, Header()] = None,
) -> AuthenticatedDevice:
    token = None
    if authorization and authorization[:7].lower() == "bearer ":
        token = authorization[7:].strip()
    service: SyncService = request.app.state.service
    return service.authenticate(token, welcome_desk_version)


CurrentDevice = Annotated[AuthenticatedDevice, Depends(current_device)]


def create_app(settings: Settings) -> FastAPI:
    engine = create_db_engine(settings.database_url)
    if settings.run_migrations:
        migrate(engine)
    service = SyncService(engine)

    error_responses: dict[int | str, dict[str, Any]] = {
        code: {"model": wire.ErrorResponse} for code in (400, 401, 403, 404, 409, 413, 422, 429)
    }
    app = FastAPI(
        title="Welcome Desk sync server",
        version=__version__,
        description="Stores and forwards end-to-end encrypted record envelopes.",
        responses=error_responses,
    )
    app.state.service = service
    app.state.engine = engine

    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return _error(exc.status, exc.code, exc.detail, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # Report where and why, never echo the offending input (it may be ciphertext).
        items = [
            wire.ErrorItem(loc=_loc(err.get("loc", ())), msg=_clean(str(err.get("msg", ""))))
            for err in exc.errors()[:20]
        ]
        summary = "; ".join(f"{i.loc}: {i.msg}" for i in items[:3])
        return _error(422, "invalid", f"invalid request: {summary}", items)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return _error(exc.status_code, code, str(exc.detail), headers=exc.headers)

    @app.exception_handler(Exception)
    async def crashed(_request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover
        # Only the type: SQL errors carry statements, and those must not reach a log.
        log.error("internal error: %s", type(exc).__name__)
        return _error(500, "internal", "internal server error")

    p = wire.API_PREFIX

    @app.get(f"{p}/health", response_model=wire.Health)
    def health() -> wire.Health:
        return wire.Health(status="ok", version=__version__)

    @app.post(f"{p}/register", response_model=wire.RegisterResponse, status_code=201)
    def register(
        body: wire.RegisterRequest,
        welcome_desk_version: Annotated[str | None, Header()] = None,
    ) -> wire.RegisterResponse:
        return service.register(body, welcome_desk_version)

    @app.get(f"{p}/devices/me", response_model=wire.DeviceStatus)
    def status(device: CurrentDevice) -> wire.DeviceStatus:
        return service.status(device.id)

    @app.get(f"{p}/devices", response_model=wire.DeviceList)
    def devices(device: CurrentDevice) -> wire.DeviceList:
        service.require_coordinator(device)
        return service.list_devices()

    @app.post(
        f"{p}/devices/enrollment-codes", response_model=wire.EnrollmentCodeIssued, status_code=201
    )
    def enrollment_code(
        body: wire.EnrollmentCodeRequest, device: CurrentDevice
    ) -> wire.EnrollmentCodeIssued:
        """A one-time code for a new laptop, asked for by a coordinator's laptop."""
        return service.issue_code_for(device, body)

    @app.post(f"{p}/devices/{{device_id}}/approve", response_model=wire.DeviceInfo)
    def approve(
        device_id: str, body: wire.ApproveRequest, device: CurrentDevice
    ) -> wire.DeviceInfo:
        return service.approve(device, device_id, body)

    @app.post(f"{p}/devices/{{device_id}}/revoke", response_model=wire.DeviceInfo)
    def revoke(device_id: str, device: CurrentDevice) -> wire.DeviceInfo:
        service.require_coordinator(device)
        return service.revoke(device_id, by=device.id)

    @app.post(f"{p}/keys", status_code=204)
    def upload_key(body: wire.WrappedKeyUpload, device: CurrentDevice) -> Response:
        service.upload_key(device, body)
        return Response(status_code=204)

    @app.get(f"{p}/keys", response_model=wire.WrappedKeyList)
    def fetch_keys(device: CurrentDevice) -> wire.WrappedKeyList:
        return service.fetch_keys(device)

    @app.post(f"{p}/envelopes", response_model=wire.PushResponse)
    def push(body: wire.PushRequest, device: CurrentDevice) -> Response:
        result = service.push(device, body)
        # Serialise directly, as for a pull: 500 results need no second validation.
        return Response(result.model_dump_json(), media_type="application/json")

    @app.get(f"{p}/envelopes", response_model=wire.PullResponse)
    def pull(
        device: CurrentDevice,
        after: Annotated[int, Query(ge=0, le=wire.MAX_SEQ)] = 0,
        limit: Annotated[int, Query(ge=1, le=wire.MAX_PULL_LIMIT)] = wire.DEFAULT_PULL_LIMIT,
    ) -> Response:
        # Serialised directly: no model per envelope, no second validation on the way out.
        return Response(service.pull_json(device, after, limit), media_type="application/json")

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    return app


def create_app_from_env() -> FastAPI:
    """App factory for ``serve --workers N``: the database URL comes from the environment."""
    from sync_server.db import resolve_database_url

    return create_app(Settings(database_url=resolve_database_url(None)))
