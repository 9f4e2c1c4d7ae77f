"""Document control: types, documents, versions, lifecycle, signatures, change requests."""
