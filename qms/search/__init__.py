"""Full-text search over every version of every document (Whoosh), filtered by who may see it."""
