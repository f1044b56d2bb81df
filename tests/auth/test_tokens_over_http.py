"""Every bad token is refused over real HTTP with 401, UNAUTHENTICATED and the failed check."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, OctKey

from tests.conftest import RunningHub

ME = "{ me { sub roles purpose organisation { id kind } } }"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {
        "iss": "urn:hub:dev-issuer",
        "aud": "hub",
        "sub": "p@stockholm",
        "org": "stockholm",
        "roles": ["caseworker"],
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _signed(hub: RunningHub, claims: dict[str, Any], key: ECKey | None = None) -> str:
    key = key or hub.issuer.signing_key
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


async def _refusal(
    hub: RunningHub, authorization: str | None, extra: dict[str, str] | None = None
) -> tuple[int, str]:
    headers = {"authorization": authorization} if authorization is not None else {}
    headers.update(extra or {})
    response = await hub.http.post("/graphql", json={"query": ME}, headers=headers)
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == (
        "UNAUTHENTICATED" if response.status_code == 401 else "UNAVAILABLE"
    )
    assert "data" not in body
    return response.status_code, body["errors"][0]["message"]


async def test_a_valid_token_yields_the_principal_in_me(hub: RunningHub) -> None:
    data = await hub.query(hub.token("polisen-stockholm", "officer"), ME)
    assert data["me"] == {
        "sub": "officer@polisen-stockholm",
        "roles": ["officer"],
        "purpose": "protection",
        "organisation": {"id": "polisen-stockholm", "kind": "POLICE"},
    }


async def test_purpose_comes_from_the_token_and_a_header_may_only_narrow_it(
    hub: RunningHub,
) -> None:
    token = hub.token("migrationsverket", purpose="enforcement")
    assert (await hub.query(token, ME))["me"]["purpose"] == "enforcement"
    both = hub.token("polisen-stockholm", "officer", purpose=["protection", "enforcement"])
    assert (await hub.query(both, ME))["me"]["purpose"] == "protection"
    for wanted in ("enforcement", "protection"):
        chosen = await hub.graphql(both, ME, headers={"x-hub-purpose": wanted})
        assert chosen.json()["data"]["me"]["purpose"] == wanted

    plain = hub.token("polisen-stockholm", "officer")  # no claim: protection only
    status, message = await _refusal(hub, f"Bearer {plain}", {"x-hub-purpose": "enforcement"})
    assert status == 401
    assert message.startswith("the token does not grant the purpose 'enforcement'")


@pytest.mark.parametrize("org", ["stockholm", "stadsmissionen", "hvb-solbacken"])
async def test_only_the_kinds_the_policy_names_may_act_for_enforcement(
    hub: RunningHub, org: str
) -> None:
    token = hub.token(org, purpose="enforcement")
    status, message = await _refusal(hub, f"Bearer {token}")
    assert status == 401
    assert message.endswith("may not act for the enforcement purpose (policies/actions.csv)")


async def test_no_token_is_refused(hub: RunningHub) -> None:
    assert await _refusal(hub, None) == (
        401,
        "no access token; send 'Authorization: Bearer <token>'",
    )


async def test_a_non_bearer_header_is_refused(hub: RunningHub) -> None:
    status, message = await _refusal(hub, "Basic dXNlcjpwYXNz")
    assert (status, message) == (401, "the Authorization header must be 'Bearer <token>'")


@pytest.mark.parametrize("token", ["abc", "a.b", "a..c", "!!!.???.###"])
async def test_a_malformed_token_is_refused(hub: RunningHub, token: str) -> None:
    status, message = await _refusal(hub, f"Bearer {token}")
    assert status == 401
    assert "malformed" in message


async def test_a_bad_signature_is_refused(hub: RunningHub) -> None:
    token = _signed(hub, _claims())
    head, _, signature = token.split(".")
    forged_body = _b64(_claims(org="polisen-stockholm"))
    status, message = await _refusal(hub, f"Bearer {head}.{forged_body}.{signature}")
    assert (status, message) == (401, "the token's signature is not valid")


async def test_alg_none_is_refused(hub: RunningHub) -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    status, message = await _refusal(hub, f"Bearer {token}")
    assert status == 401
    assert "algorithm (alg) is not accepted" in message


async def test_hs256_signed_with_the_public_key_is_refused(hub: RunningHub) -> None:
    public = json.dumps(hub.issuer.signing_key.as_dict(private=False)).encode()
    token = jwt.encode(
        {"alg": "HS256", "kid": hub.issuer.signing_key.kid},
        _claims(),
        OctKey.import_key(public),
        algorithms=["HS256"],
    )
    status, message = await _refusal(hub, f"Bearer {token}")
    assert status == 401
    assert "algorithm (alg) is not accepted" in message


async def test_a_token_from_an_unknown_key_is_refused(hub: RunningHub) -> None:
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    status, message = await _refusal(hub, f"Bearer {_signed(hub, _claims(), stranger)}")
    assert (status, message) == (
        401,
        "the token is signed with a key the issuer does not publish (kid)",
    )


async def test_a_token_signed_by_a_stranger_under_a_known_kid_is_refused(hub: RunningHub) -> None:
    stranger = ECKey.generate_key("P-256")
    token = jwt.encode({"alg": "ES256", "kid": hub.issuer.signing_key.kid}, _claims(), stranger)
    assert await _refusal(hub, f"Bearer {token}") == (401, "the token's signature is not valid")


@pytest.mark.parametrize(
    ("claims", "check"),
    [
        ({"exp": int(time.time()) - 3600}, "the token has expired (exp)"),
        ({"nbf": int(time.time()) + 3600}, "the token is not valid yet (nbf)"),
        ({"iat": int(time.time()) + 3600}, "the token was issued in the future (iat)"),
        ({"iss": "https://evil.example"}, "the token's issuer (iss) is not trusted by this hub"),
        ({"aud": "other-api"}, "the token's audience (aud) does not include 'hub'"),
        ({"sub": None}, "the token has no subject (sub)"),
        ({"org": None}, "the token has no organisation (org)"),
        ({"exp": None}, "the token has no expiry (exp)"),
        ({"org": "no-such-org"}, "the token's organisation (org) is not registered in the hub"),
        ({"roles": ["superuser"]}, "the token has an unknown role (roles)"),
        ({"purpose": "curiosity"}, "the purpose is unknown"),
        ({"exp": 10**20}, "the token's expiry (exp) is more than 7 days away"),
        ({"exp": 1e308}, "the token's expiry (exp) is more than 7 days away"),
        ({"exp": True}, "the token has no expiry (exp)"),
        ({"sub": "a\x00b"}, "the token's sub claim holds a NUL or an unpaired surrogate"),
        ({"name": "x\x00"}, "the token's name claim holds a NUL or an unpaired surrogate"),
        ({"roles": ["caseworker\x00"]}, "the token's roles claim holds a NUL"),
    ],
)
async def test_a_token_failing_a_claim_check_names_the_check(
    hub: RunningHub, claims: dict[str, Any], check: str
) -> None:
    status, message = await _refusal(hub, f"Bearer {_signed(hub, _claims(**claims))}")
    assert status == 401
    assert message.startswith(check)


async def test_a_huge_token_is_refused_before_any_parsing(hub: RunningHub) -> None:
    token = _b64({"alg": "ES256", "pad": "x" * 10_000}) + ".e30.sig"
    status, message = await _refusal(hub, f"Bearer {token}")
    assert (status, message) == (401, "the token is larger than 8192 bytes")


async def test_a_rotated_key_is_picked_up_without_restart(hub: RunningHub) -> None:
    await hub.query(hub.token("stockholm"), ME)  # the old key set is now cached
    new_kid = hub.issuer.rotate()
    token = hub.token("stockholm")
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"] == new_kid
    assert (await hub.query(token, ME))["me"]["sub"] == "caseworker@stockholm"


async def test_refusals_never_reveal_keys_or_internals(hub: RunningHub) -> None:
    stranger = ECKey.generate_key("P-256", auto_kid=True)
    _, message = await _refusal(hub, f"Bearer {_signed(hub, _claims(), stranger)}")
    for secret in (str(hub.issuer.signing_key.kid), str(stranger.kid), "Traceback", "joserfc"):
        assert secret not in message


async def test_a_token_accepted_once_is_refused_once_its_key_is_withdrawn(
    hub: RunningHub,
) -> None:
    old = hub.token("stockholm")
    assert (await hub.query(old, ME))["me"]["sub"] == "caseworker@stockholm"  # verified, kept
    hub.issuer.rotate()
    hub.issuer.rotate()  # the first key is no longer published
    assert (await hub.query(hub.token("stockholm"), ME))["me"]  # the hub refetched the keys
    status, message = await _refusal(hub, f"Bearer {old}")
    assert (status, message) == (
        401,
        "the token is signed with a key the issuer does not publish (kid)",
    )


async def test_a_remembered_token_still_expires(hub: RunningHub) -> None:
    # expired 28 s ago: still inside the 30 s leeway for about two seconds
    token = _signed(hub, _claims(exp=int(time.time()) - 28, iat=None, nbf=None))
    assert (await hub.query(token, ME))["me"]
    auth = {"authorization": f"Bearer {token}"}
    for _ in range(100):  # poll: the leeway runs out about two seconds from now
        response = await hub.http.post("/graphql", json={"query": ME}, headers=auth)
        if response.status_code == 401:
            break
        await asyncio.sleep(0.1)
    assert response.json()["errors"][0]["message"] == "the token has expired (exp)"
