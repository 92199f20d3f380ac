"""HTTP client for the sync server: typed calls, typed errors, bounded retries with backoff."""

from __future__ import annotations

import contextlib
import email.utils
import functools
import random
import re
import ssl
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from desktop_app import __version__
from sync_server import wire

# httpx loads when a client is made, not with the window's features: importing it pulls in its
# command line (click, rich, pygments where installed), about 0.1 s of the interpreter.
if TYPE_CHECKING:
    import httpx

M = TypeVar("M", bound=BaseModel)

#: The longest one request may take from its connection to the last byte of its answer (s).
#: The read timeout alone bounds each read: a link that delivered a byte every few seconds
#: kept a round at "Syncing…" for good, and the next round never came. Generous: a full page
#: (``wire.DEFAULT_PULL_LIMIT`` envelopes of a few KB, about 1-2 MB; a push batch likewise)
#: over a poor mobile link of 100 kbit/s (12 KB/s) takes 80-170 s; a normal round's requests
#: are far smaller. Past it the request fails as a dropped connection does (``Offline``):
#: pushes are idempotent and a pull resumes from the cursor of the last page applied.
REQUEST_DEADLINE_S = 180.0


class SyncError(Exception):
    """Base of every error this client raises."""


class Offline(SyncError):
    """The server could not be reached (or kept failing) after the allowed retries. ``hint``:
    what the failed connection shows of a mistyped address (``connect_hint``), or ""."""

    def __init__(self, message: str = "", hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class ConnectionLost(Offline):
    """The connection to the server was made and then broke off in the middle of a request: it
    was closed or reset before the answer was whole, or the request's deadline
    (``REQUEST_DEADLINE_S``) passed. Not a server out of reach: "cannot be reached" sent the user
    to look for a network that was there. Tried again later, as ``Offline`` is."""


#: ``Offline.hint``: the address's port answers, but not with TLS (plain HTTP, say)
HINT_NOT_TLS = "not_tls"
#: ``Offline.hint``: nothing listens on https's port 443, and the address names no port
HINT_NO_PORT = "no_port"
# What OpenSSL says when the answer to its ClientHello is no TLS record (3.2 and later say the
# second for what 3.0 and 3.1 say the first).
_NOT_TLS_REASONS = frozenset({"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE"})


class CertificateProblem(SyncError):
    """No secure connection could be made: the server's certificate is not valid for its
    address (a wrong server, a public Wi-Fi's login page, someone listening in). Not being
    offline: retrying does not help, and the user must not be told to wait for a network.
    ``reason`` is the check's own words (e.g. "self-signed certificate"), for the log and the
    command line; a server using its organisation's own authority needs it installed here."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"the sync server's certificate is not valid: {reason}")
        self.reason = reason


class ServerError(Offline):
    """The server answered 5xx on every attempt; treat like being offline and try later."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"server error {status}: {reason}")
        self.status = status
        self.reason = reason


class RequestRefused(SyncError):
    """A 4xx answer: ``status``, the server's ``code`` and ``reason``."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(f"{status} {code}: {reason}")
        self.status = status
        self.code = code
        self.reason = reason


class Unauthorized(RequestRefused):
    """No token, or a token the server does not know (401)."""


class Revoked(RequestRefused):
    """This device has been revoked: stop syncing and tell the user."""


class Forbidden(RequestRefused):
    """Not allowed (yet): e.g. waiting for approval, or not a coordinator (403)."""


class BadRequest(RequestRefused):
    """Refused as malformed, too large or conflicting (400/404/409/413/422)."""


class ProtocolError(SyncError):
    """The server's answer did not match the wire schema."""


def may_get_through_later(exc: BaseException) -> bool:
    """Whether a call failed on the way to the server (no connection, a connection lost, the
    server failing), so that a try later may get through: not a refusal, not a certificate
    that is not valid, not an address the failure shows mistyped (``connect_hint``)."""
    return isinstance(exc, Offline) and not exc.hint


def _certificate_failure(exc: BaseException) -> ssl.SSLCertVerificationError | None:
    """The certificate error behind a failed connection, if that was the cause (httpx wraps
    the ssl module's error, which stays in the chain of causes)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLCertVerificationError):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def connect_hint(exc: BaseException, base_url: str) -> str:
    """What a failed connection to ``base_url`` shows of a mistyped address: "cannot be
    reached" alone sent the user to check a network that was fine, when the address had https
    for a plain-HTTP port, or lacked the port the server listens on."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, ssl.SSLError) and current.reason in _NOT_TLS_REASONS:
            return HINT_NOT_TLS
        if isinstance(current, ConnectionRefusedError):
            parts = urlsplit(base_url)
            return HINT_NO_PORT if parts.scheme == "https" and parts.port is None else ""
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return ""


@functools.cache
def _trusted_authorities() -> ssl.SSLContext:
    """The certificate authorities httpx trusts by default, loaded once per process: loading
    them took 50-100 ms, more than a whole sync with nothing to do, every time a client was
    made (a context is safe to share between connections and threads).

    Those of the operating system as well: an organisation's own authority is installed
    there (or named by SSL_CERT_FILE / SSL_CERT_DIR), and a server with a certificate from
    it could not be joined at all with certifi's list alone."""
    import certifi

    context = ssl.create_default_context(cafile=certifi.where())
    context.load_default_certs()
    return context


class SyncServerClient:
    """One server, one device token. Thread-compatible: use one instance per sync thread."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        timeout: float = 15.0,
        connect_timeout: float = 5.0,
        deadline: float = REQUEST_DEADLINE_S,
        max_retries: int = 4,
        backoff_base: float = 0.25,
        backoff_max: float = 8.0,
        retry_unanswered: bool = True,
        verify: bool | ssl.SSLContext = True,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
        app_version: str = __version__,
    ) -> None:
        self.token = token
        self.max_retries = max_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        # False: a request the server did not answer within the timeouts is not sent again.
        # The window's background sync (``sync_process``): behind a network that swallows
        # what is sent (a meeting point's captive Wi-Fi, a dead mobile link) its status said
        # "Syncing…" for 80 s, 5 attempts of 15 s, before it said offline; its next round
        # comes within a minute anyway. A dropped or refused connection is still retried:
        # that is told within a second.
        self.retry_unanswered = retry_unanswered
        self.deadline = deadline
        self._deadlines = _Deadlines()
        self._sleep = sleep
        self._random = random.Random()
        # The server's clock, from the Date header of its answers: the smallest difference
        # "our monotonic clock at receipt - server's time" seen (the answer that came back
        # fastest says the most), for ``server_now_ms``. The pull and push threads of one
        # round may both write it: a lost update only keeps a slightly worse reading.
        self._server_lag_ms: float | None = None
        # False once the server refused ``wire.Envelope.redacts_through`` as a field it does not
        # know (a server of an earlier version): this client sends it no more (``push``).
        self.takes_redactions = True
        import httpx

        self._base_url = base_url
        own_transport = transport is None
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + wire.API_PREFIX,
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            verify=_trusted_authorities() if verify is True else verify,
            transport=transport,
            # The version on every request: the server keeps it for the coordinator's list of
            # laptops (which need an update before they can read what is published).
            headers={
                "User-Agent": f"welcome-desk-sync/1 (welcome-desk {app_version})",
                "Welcome-Desk-Version": app_version,
            },
        )
        if own_transport:  # httpx's own, and those for a proxy the environment names
            _bound_by_deadlines(self._http, self._deadlines)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SyncServerClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- plumbing -----------------------------------------------------------------------------

    def _backoff(self, attempt: int) -> float:
        # "Full jitter": spreads retries of many laptops after a server restart.
        return self._random.uniform(0, min(self.backoff_max, self.backoff_base * 2**attempt))

    def _request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
        content: bytes | None = None,
        params: dict[str, Any] | None = None,
        auth: bool = True,
        retry_after_send: bool = True,
    ) -> httpx.Response:
        import httpx

        headers = {"Content-Type": "application/json"} if content is not None else {}
        if auth:
            if not self.token:
                raise Unauthorized(401, "unauthorized", "this device has no token yet")
            headers["Authorization"] = f"Bearer {self.token}"
        attempt = 0
        # A connection that broke off, if one did: what the request's failure is told as even
        # where the tries after it found no connection (the link dropped mid-answer, then was
        # gone): "cannot be reached" sent the user looking for a network that had been there.
        lost: ConnectionLost | None = None
        while True:
            deadline = time.monotonic() + self.deadline
            try:
                with self._deadlines.within(self.deadline):
                    response = self._http.request(
                        method, path, json=json, content=content, params=params, headers=headers
                    )
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if untrusted := _certificate_failure(exc):
                    raise CertificateProblem(untrusted.verify_message or str(untrusted)) from exc
                hint = connect_hint(exc, self._base_url)
                failure: SyncError = Offline(f"cannot reach the sync server: {exc}", hint)
                if isinstance(exc, httpx.ConnectTimeout) and not self.retry_unanswered:
                    raise (lost or failure) from exc
            except httpx.TransportError as exc:
                # The request may have reached the server; only idempotent calls may repeat.
                unanswered = isinstance(exc, httpx.TimeoutException) and not self.retry_unanswered
                failure = _lost(exc, deadline)
                if isinstance(failure, ConnectionLost):
                    lost = failure
                if not retry_after_send or unanswered:
                    raise (lost or failure) from exc
            else:
                self._note_server_time(response)
                if response.status_code < 500:
                    return self._check(response)
                if not retry_after_send:
                    raise ServerError(response.status_code, _reason(response)[1])
                failure = ServerError(response.status_code, _reason(response)[1])
            if attempt >= self.max_retries:
                raise lost if lost is not None and type(failure) is Offline else failure
            self._sleep(self._backoff(attempt))
            attempt += 1

    def _note_server_time(self, response: httpx.Response) -> None:
        """Keep what the answer's Date header says of the server's clock; a missing or
        malformed header (a proxy in between may drop or mangle it) only loses the hint."""
        received = time.monotonic() * 1000
        header = response.headers.get("date")
        if not header:
            return
        try:
            sent = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError, IndexError):
            return
        if sent.tzinfo is None:  # RFC 9110 dates are GMT; one without a zone is not one
            return
        # The header counts whole seconds: the answer left on average half a second later.
        lag = received - (sent.timestamp() * 1000 + 500)
        if self._server_lag_ms is None or lag < self._server_lag_ms:
            self._server_lag_ms = lag

    def server_now_ms(self) -> int | None:
        """The server's wall clock now (ms since the epoch) as its answers' Date headers told
        it, to within a second or so; None before an answer with one came."""
        if self._server_lag_ms is None:
            return None
        return round(time.monotonic() * 1000 - self._server_lag_ms)

    @staticmethod
    def _check(response: httpx.Response) -> httpx.Response:
        status = response.status_code
        if status < 400:
            return response
        code, reason = _reason(response)
        if status == 401:
            raise Unauthorized(status, code, reason)
        if status == 403:
            if code == "revoked":
                raise Revoked(status, code, reason)
            raise Forbidden(status, code, reason)
        raise BadRequest(status, code, reason)

    @staticmethod
    def _parse(response: httpx.Response, model: type[M]) -> M:
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            raise ProtocolError(f"unexpected answer from the server: {exc}") from exc

    # --- API ----------------------------------------------------------------------------------

    def health(self) -> wire.Health:
        return self._parse(self._request("GET", "/health", auth=False), wire.Health)

    def register(
        self, code: str, name: str, public_key: bytes, secret: bytes | None = None
    ) -> wire.RegisterResponse:
        """Join with a one-time code; stores the returned token on this client. With
        ``secret`` (``wire.RegisterRequest.registration_secret``) the server takes the same
        request again, so it is resent like any other after a dropped connection."""
        body = wire.RegisterRequest(
            code=code,
            device_name=name,
            public_key=wire.b64encode(public_key),
            registration_secret=wire.b64encode(secret) if secret is not None else None,
        )
        # Without a secret a code is single use: never resend once the request may have arrived.
        try:
            response = self._request(
                "POST",
                "/register",
                json=body.model_dump(exclude_none=True),
                auth=False,
                retry_after_send=secret is not None,
            )
        except BadRequest as exc:
            if secret is None or not _unknown_field(exc, "registration_secret"):
                raise
            # A server from before registration secrets refuses the field, and so spent no
            # code: join as laptops did then (a failure after it needs a new code).
            return self.register(code, name, public_key)
        result = self._parse(response, wire.RegisterResponse)
        self.token = result.token
        return result

    def status(self) -> wire.DeviceStatus:
        return self._parse(self._request("GET", "/devices/me"), wire.DeviceStatus)

    def devices(self) -> wire.DeviceList:
        return self._parse(self._request("GET", "/devices"), wire.DeviceList)

    def push(self, envelopes: Sequence[wire.Envelope]) -> wire.PushResponse:
        """Push one batch (≤ wire.MAX_BATCH). Safe to repeat: stored envelopes come back as
        ``duplicate``."""
        if not envelopes:
            return wire.PushResponse(accepted=0, duplicate=0, refused=0, results=[])
        if len(envelopes) > wire.MAX_BATCH:
            raise ValueError(f"at most {wire.MAX_BATCH} envelopes per push")
        redacting = any(e.redacts_through is not None for e in envelopes)
        if redacting and not self.takes_redactions:
            envelopes = [_unredacted(e) for e in envelopes]
            redacting = False
        # The envelopes are already validated models: serialise without validating again.
        # Without defaults: ``erases`` and ``redacts_through`` only where set, so a server
        # before them takes the rest.
        body = wire.PushRequest.model_construct(envelopes=list(envelopes)).model_dump_json(
            exclude_defaults=True
        )
        try:
            response = self._request("POST", "/envelopes", content=body.encode())
        except BadRequest as exc:
            if not redacting or not _unknown_envelope_field(exc, "redacts_through"):
                raise
            # A server from before redactions refuses the field, and with it the whole push
            # (nothing of it stored): pushed again without it. The versions are stored there as
            # any, and their records' earlier envelopes stay on that server.
            self.takes_redactions = False
            return self.push(envelopes)
        return self._parse(response, wire.PushResponse)

    def pull(self, cursor: int = 0, limit: int = wire.DEFAULT_PULL_LIMIT) -> wire.PullResponse:
        response = self._request("GET", "/envelopes", params={"after": cursor, "limit": limit})
        return self._parse(response, wire.PullResponse)

    def approve(self, device_id: str, wrapped_keys: Sequence[wire.WrappedKeyIn]) -> wire.DeviceInfo:
        body = wire.ApproveRequest(wrapped_keys=list(wrapped_keys))
        response = self._request("POST", f"/devices/{device_id}/approve", json=body.model_dump())
        return self._parse(response, wire.DeviceInfo)

    def revoke(self, device_id: str) -> wire.DeviceInfo:
        return self._parse(self._request("POST", f"/devices/{device_id}/revoke"), wire.DeviceInfo)

    def issue_enrollment_code(self, name: str) -> wire.EnrollmentCodeIssued:
        """A one-time code for a new laptop named ``name`` (this laptop must be a coordinator's).
        Not sent again once it may have arrived: each request that arrives issues a code."""
        body = wire.EnrollmentCodeRequest(name=name)
        response = self._request(
            "POST", "/devices/enrollment-codes", json=body.model_dump(), retry_after_send=False
        )
        return self._parse(response, wire.EnrollmentCodeIssued)

    def upload_wrapped_key(
        self,
        device_id: str,
        key_id: str,
        wrapped_key: bytes,
        sender_public_key: bytes,
        *,
        laptop_role: wire.LaptopRole,
    ) -> None:
        body = wire.WrappedKeyUpload(
            device_id=device_id,
            key_id=key_id,
            wrapped_key=wire.b64encode(wrapped_key),
            sender_public_key=wire.b64encode(sender_public_key),
            laptop_role=laptop_role,
        )
        self._request("POST", "/keys", json=body.model_dump())

    def fetch_wrapped_keys(self) -> wire.WrappedKeyList:
        return self._parse(self._request("GET", "/keys"), wire.WrappedKeyList)


class _Deadlines(threading.local):
    """The deadline of the request this thread makes (``time.monotonic``), or None: the pull
    and the push threads of a round share a client, each with its own request."""

    at: float | None = None

    @contextlib.contextmanager
    def within(self, seconds: float) -> Iterator[None]:
        self.at = time.monotonic() + seconds
        try:
            yield
        finally:
            self.at = None

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float | None:
        """``timeout`` for one read, write or connect, no longer than the time left; the
        error ``expired`` (httpcore's, which httpx turns into its own) once none is left."""
        at = self.at
        if at is None:
            return timeout
        left = at - time.monotonic()
        if left <= 0:
            raise expired("the request's deadline has passed")
        return left if timeout is None else min(timeout, left)


def _bound_by_deadlines(client: httpx.Client, deadlines: _Deadlines) -> None:
    """The reads, writes and connections of ``client``'s transports (httpx's own, made with
    it) bounded by the request's deadline as well as by their timeouts (each of which bounds
    one wait only). Their connection pools (httpcore's) take a network backend, which httpx
    does not pass on: set on the pools it made, so that a proxy named by the environment
    (HTTPS_PROXY) is used as before."""
    import httpcore
    import httpx

    class Stream(httpcore.NetworkStream):
        def __init__(self, stream: httpcore.NetworkStream) -> None:
            self._stream = stream

        def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
            return self._stream.read(max_bytes, deadlines.clamp(timeout, httpcore.ReadTimeout))

        def write(self, buffer: bytes, timeout: float | None = None) -> None:
            self._stream.write(buffer, deadlines.clamp(timeout, httpcore.WriteTimeout))

        def close(self) -> None:
            self._stream.close()

        def start_tls(
            self,
            ssl_context: ssl.SSLContext,
            server_hostname: str | None = None,
            timeout: float | None = None,
        ) -> httpcore.NetworkStream:
            limit = deadlines.clamp(timeout, httpcore.ConnectTimeout)
            return Stream(self._stream.start_tls(ssl_context, server_hostname, limit))

        def get_extra_info(self, info: str) -> Any:
            return self._stream.get_extra_info(info)

    class Backend(httpcore.NetworkBackend):
        def __init__(self) -> None:
            self._backend = httpcore.SyncBackend()

        def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Any = None,
        ) -> httpcore.NetworkStream:
            limit = deadlines.clamp(timeout, httpcore.ConnectTimeout)
            return Stream(
                self._backend.connect_tcp(host, port, limit, local_address, socket_options)
            )

        def connect_unix_socket(
            self, path: str, timeout: float | None = None, socket_options: Any = None
        ) -> httpcore.NetworkStream:
            limit = deadlines.clamp(timeout, httpcore.ConnectTimeout)
            return Stream(self._backend.connect_unix_socket(path, limit, socket_options))

        def sleep(self, seconds: float) -> None:
            self._backend.sleep(seconds)

    transports = [client._transport, *client._mounts.values()]
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        if isinstance(transport, httpx.HTTPTransport) and pool is not None:
            pool._network_backend = Backend()


def _lost(exc: httpx.TransportError, deadline: float) -> Offline:
    """A request that failed after its connection was made (``exc``; not a ``ConnectError``):
    ``ConnectionLost`` where the connection broke off (closed or reset while the request went
    out or its answer came, the server's answer cut short) or the request's ``deadline``
    (``time.monotonic``) passed; ``Offline`` for a wait that timed out with nothing come (a
    network that swallows what is sent, as a café's Wi-Fi), a proxy's failure and the rest."""
    import httpx

    message = f"connection lost during request: {exc}"
    broken = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)
    if isinstance(exc, broken) or (
        isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout) and time.monotonic() >= deadline
    ):
        return ConnectionLost(message)
    return Offline(message)


def _reason(response: httpx.Response) -> tuple[str, str]:
    try:
        body = response.json()
        return str(body.get("code", "error")), str(body.get("detail", response.reason_phrase))
    except (ValueError, AttributeError):
        return "error", response.reason_phrase or f"HTTP {response.status_code}"


def _unknown_field(exc: RequestRefused, field: str) -> bool:
    """Whether the server refused the request for a field it does not know (a server of an
    earlier version: "invalid request: body.FIELD: Extra inputs are not permitted")."""
    return exc.status == 422 and exc.code == "invalid" and f"body.{field}:" in exc.reason


def _unknown_envelope_field(exc: RequestRefused, field: str) -> bool:
    """Whether the server refused a push for an envelope's field it does not know (a server of
    an earlier version: "body.envelopes.3.FIELD: Extra inputs are not permitted")."""
    return (
        exc.status == 422
        and exc.code == "invalid"
        and re.search(rf"body\.envelopes\.\d+\.{re.escape(field)}:", exc.reason) is not None
    )


def _unredacted(envelope: wire.Envelope) -> wire.Envelope:
    """``envelope`` without ``redacts_through``, for a server that does not know it."""
    if envelope.redacts_through is None:
        return envelope
    return envelope.model_copy(update={"redacts_through": None})


def wrapped_key(
    key_id: str, wrapped: bytes, sender_public_key: bytes, *, laptop_role: wire.LaptopRole
) -> wire.WrappedKeyIn:
    """Convenience for ``approve``: one wrapped team key as the wire wants it, with the role it
    was wrapped for (``crypto.wrap_team_key``)."""
    return wire.WrappedKeyIn(
        key_id=key_id,
        wrapped_key=wire.b64encode(wrapped),
        sender_public_key=wire.b64encode(sender_public_key),
        laptop_role=laptop_role,
    )
