"""The audit trail: an append-only, hash-chained event log (never "audit": that is ISO audits)."""
