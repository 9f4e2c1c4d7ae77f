"""Typed bodies and responses of the API (pydantic): the OpenAPI components are generated
from them, bodies are validated by them and responses are serialized through them."""
