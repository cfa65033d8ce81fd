import pytest

from cohortcast.pinterest.ads import (
    AuthenticationError,
    InvalidRequest,
    RateLimited,
    RateLimiter,
    RetryPolicy,
    ServerError,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_backoff_ceiling_doubles_per_attempt_up_to_the_maximum() -> None:
    policy = RetryPolicy(max_attempts=10, base_delay=0.5, max_delay=4.0)
    error = ServerError("boom", status=503)
    ceilings = [
        policy.delay(attempt, error, draw=lambda: 1.0) for attempt in (1, 2, 3, 4, 5)
    ]
    assert ceilings == [0.5, 1.0, 2.0, 4.0, 4.0]


def test_full_jitter_can_retry_at_once() -> None:
    policy = RetryPolicy(base_delay=0.5)
    assert policy.delay(3, ServerError("boom", status=500), draw=lambda: 0.0) == 0.0


def test_retry_after_is_a_floor_under_the_jittered_delay() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=60)
    error = RateLimited("slow down", status=429, retry_after=7.0)
    assert policy.delay(1, error, draw=lambda: 0.3) == 7.0


def test_client_errors_are_never_retried() -> None:
    policy = RetryPolicy()
    assert policy.delay(1, InvalidRequest("bad", status=400)) is None
    assert policy.delay(1, AuthenticationError("who", status=401)) is None


def test_retries_stop_after_the_last_attempt() -> None:
    policy = RetryPolicy(max_attempts=3)
    error = ServerError("boom", status=502)
    assert policy.delay(2, error) is not None
    assert policy.delay(3, error) is None


def test_the_limiter_allows_a_burst_of_5000_calls_per_ad_account() -> None:
    limiter = RateLimiter(clock=FakeClock())
    waits = [limiter.reserve("549755885175") for _ in range(5000)]
    assert set(waits) == {0.0}
    assert limiter.reserve("549755885175") == pytest.approx(60 / 5000)
    assert limiter.reserve("549755885175") == pytest.approx(2 * 60 / 5000)


def test_ad_accounts_have_separate_buckets() -> None:
    limiter = RateLimiter(calls=1, period=60, clock=FakeClock())
    assert limiter.reserve("1") == 0.0
    assert limiter.reserve("2") == 0.0
    assert limiter.reserve("1") == pytest.approx(60.0)


def test_the_bucket_refills_with_time() -> None:
    clock = FakeClock()
    limiter = RateLimiter(calls=2, period=60, clock=clock)
    limiter.reserve("1")
    limiter.reserve("1")
    assert limiter.try_take("1") == pytest.approx(30.0)
    clock.now += 30
    assert limiter.try_take("1") == 0.0


def test_a_refused_try_take_uses_no_call() -> None:
    clock = FakeClock()
    limiter = RateLimiter(calls=1, period=10, clock=clock)
    assert limiter.try_take("1") == 0.0
    assert limiter.try_take("1") == pytest.approx(10.0)
    assert limiter.try_take("1") == pytest.approx(10.0)
    clock.now += 10
    assert limiter.try_take("1") == 0.0


def test_an_impossible_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="impossible"):
        RateLimiter(calls=0)
