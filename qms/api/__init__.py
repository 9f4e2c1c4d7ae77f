"""JSON API under /api/v1 with its OpenAPI document; authenticated by personal API tokens."""
