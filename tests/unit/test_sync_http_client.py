"""Retry and error mapping of the sync HTTP client. The real server never answers 5xx, so the
failure modes it cannot produce are played by an httpx transport (the rest runs in
tests/integration against the real server)."""

from __future__ import annotations

import httpx
import pytest

from desktop_app.sync import http_client as hc


def _client(
    handler: object, retries: int = 3, retry_unanswered: bool = True
) -> tuple[hc.SyncServerClient, list[float]]:
    sleeps: list[float] = []
    client = hc.SyncServerClient(
        "http://127.0.0.1:9",
        "token",
        max_retries=retries,
        retry_unanswered=retry_unanswered,
        backoff_base=0.5,
        backoff_max=2.0,
        sleep=sleeps.append,
        transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
    )
    return client, sleeps


def test_5xx_retried_with_bounded_jittered_backoff() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(503, json={"code": "unavailable", "detail": "restarting"})

    client, sleeps = _client(handler, retries=5)
    with client, pytest.raises(hc.ServerError) as info:
        client.status()
    assert isinstance(info.value, hc.Offline)
    assert len(calls) == 6 and len(sleeps) == 5
    assert all(0 <= s <= min(2.0, 0.5 * 2**i) for i, s in enumerate(sleeps))


def test_recovers_after_transient_failures() -> None:
    answers: list[Exception | httpx.Response] = [httpx.ConnectError("refused"), httpx.Response(502)]

    def handler(request: httpx.Request) -> httpx.Response:
        if answers:
            answer = answers.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        return httpx.Response(200, json={"status": "ok", "version": "1"})

    client, sleeps = _client(handler)
    with client:
        assert client.health().status == "ok"
    assert len(sleeps) == 2


@pytest.mark.parametrize(
    "unanswered", [httpx.ReadTimeout("no answer"), httpx.ConnectTimeout("no answer")]
)
def test_an_unanswered_request_is_tried_once_where_asked(unanswered: Exception) -> None:
    """The window's background sync: a network that swallows requests is offline after one
    timeout, not five (its status said "Syncing…" for 80 s); a dropped connection is still
    retried, and the default client retries a timeout as before."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        raise unanswered

    client, sleeps = _client(handler, retry_unanswered=False)
    with client, pytest.raises(hc.Offline):
        client.status()
    assert len(calls) == 1 and sleeps == []

    answers: list[Exception] = [httpx.ReadError("connection reset")]

    def dropped_once(request: httpx.Request) -> httpx.Response:
        if answers:
            raise answers.pop()
        return httpx.Response(200, json={"status": "ok", "version": "1"})

    client, sleeps = _client(dropped_once, retry_unanswered=False)
    with client:
        assert client.health().status == "ok"
    assert len(sleeps) == 1

    calls.clear()
    client, sleeps = _client(handler)
    with client, pytest.raises(hc.Offline):
        client.status()
    assert len(calls) == 4 and len(sleeps) == 3


@pytest.mark.parametrize(
    "status, code, error",
    [
        (401, "unauthorized", hc.Unauthorized),
        (403, "revoked", hc.Revoked),
        (403, "not_approved", hc.Forbidden),
        (409, "conflict", hc.BadRequest),
        (413, "too_large", hc.BadRequest),
        (422, "invalid", hc.BadRequest),
    ],
)
def test_4xx_mapped_and_never_retried(status: int, code: str, error: type[Exception]) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(status, json={"code": code, "detail": "because"})

    client, sleeps = _client(handler)
    with client, pytest.raises(error) as info:
        client.pull(0)
    assert isinstance(info.value, hc.RequestRefused)
    assert info.value.reason == "because" and info.value.code == code
    assert len(calls) == 1 and sleeps == []


def test_register_not_resent_once_it_may_have_arrived() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        raise httpx.ReadTimeout("no answer")

    client, _ = _client(handler)
    with client, pytest.raises(hc.Offline):
        client.register("ABCD-EFGH-JKLM-NPQR", "Laptop", b"\1" * 32)
    assert len(calls) == 1


def test_malformed_answer_is_a_protocol_error() -> None:
    client, _ = _client(lambda request: httpx.Response(200, json={"nope": 1}))
    with client, pytest.raises(hc.ProtocolError):
        client.status()


@pytest.mark.parametrize(
    ("error", "lost"),
    [
        (httpx.ReadError("connection reset by peer"), True),
        (httpx.WriteError("broken pipe"), True),
        (httpx.RemoteProtocolError("peer closed connection: incomplete chunked read"), True),
        (httpx.ConnectError("connection refused"), False),  # never made
        (httpx.ConnectTimeout("no answer to the connection"), False),
        (httpx.ReadTimeout("nothing came within the timeout"), False),  # a swallowing network
    ],
)
def test_a_connection_that_broke_off_is_told_from_one_never_made(
    error: Exception, lost: bool
) -> None:
    """A connection dropped in the middle of a request was an ``Offline`` like one that was
    never made, and the user was told the server "cannot be reached"."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    client, _sleeps = _client(handler)
    with client, pytest.raises(hc.Offline) as info:
        client.status()
    assert isinstance(info.value, hc.ConnectionLost) is lost, info.value


def test_a_connection_that_broke_off_then_could_not_be_made_again_broke_off() -> None:
    """The link dropped in the middle of the answer, and the tries after it found no
    connection: the round said "cannot be reached" (the last try's failure), and the user
    looked for a network that had been there a moment before."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        if len(calls) == 1:
            raise httpx.RemoteProtocolError("peer closed connection: incomplete chunked read")
        raise httpx.ConnectError("connection refused")

    client, _sleeps = _client(handler)
    with client, pytest.raises(hc.ConnectionLost):
        client.pull(0)
    assert len(calls) > 2  # tried again, and none of the tries got through


def test_a_request_past_its_deadline_broke_off() -> None:
    """The request's deadline (``REQUEST_DEADLINE_S``) passed while its answer came: the
    connection was made, and ended by this laptop."""

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("the request's deadline has passed")

    client = hc.SyncServerClient(
        "http://127.0.0.1:9",
        "token",
        deadline=0.0,
        max_retries=1,
        sleep=lambda _s: None,
        transport=httpx.MockTransport(handler),
    )
    with client, pytest.raises(hc.ConnectionLost):
        client.status()
