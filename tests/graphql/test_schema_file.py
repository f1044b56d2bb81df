from __future__ import annotations

from hub.graphql.schema import SDL_PATH, export_sdl


def test_the_committed_schema_file_matches_the_code() -> None:
    assert SDL_PATH.read_text() == export_sdl(), "schema drifted: run `hub schema export`"


def test_every_shared_field_names_its_category_in_the_schema() -> None:
    sdl = export_sdl()
    for field in ("givenName", "health", "returnInterview", "riskLevel", "description"):
        line_index = next(
            i for i, line in enumerate(sdl.splitlines()) if line.strip().startswith(f"{field}:")
        )
        assert "[category:" in sdl.splitlines()[line_index - 1], field
