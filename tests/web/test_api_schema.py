"""The JSON API against its own OpenAPI schema, with schemathesis generating the requests."""

from __future__ import annotations

import pytest

from webdata import TOKEN, Seeded

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_openapi_schema_lists_the_api_only(client) -> None:  # type: ignore[no-untyped-def]
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/documents", "/api/documents/{doc_id}", "/api/search", "/api/tracks", "/api/crawl-runs"} <= paths
    assert all(p.startswith("/api/") for p in paths)


def test_api_conforms_to_its_schema(seeded: Seeded) -> None:
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, settings as hsettings

    from web.app import create_app
    from web.security import WebConfig

    app = create_app(seeded.settings, WebConfig(RADAR_ADMIN_TOKEN=TOKEN))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    for op in schema.get_all_operations():
        operation = op.ok()

        @hsettings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True)
        def check(case) -> None:  # type: ignore[no-untyped-def]
            case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})

        from hypothesis import given

        try:
            given(operation.as_strategy())(check)()
        except Exception as exc:  # noqa: BLE001 - collect all operations' failures, then report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {type(exc).__name__}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
