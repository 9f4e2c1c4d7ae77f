"""Cross-cutting pieces every domain package uses; imports no domain package."""
