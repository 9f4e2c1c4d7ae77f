"""The organisation's identity: name, logo, NIT, paper and time zone, set by an administrator."""
