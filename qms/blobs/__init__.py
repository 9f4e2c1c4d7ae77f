"""Stored files: the database side of the blob store (rows, store/read services, fsck)."""
