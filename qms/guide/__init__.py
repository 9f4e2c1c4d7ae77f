"""The getting-started guide ("Primeros pasos"): who does what, and a newcomer's walk through
the first document, its approval and a controlled copy, with links to the real pages."""
