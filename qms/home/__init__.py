"""The landing page after sign-in."""
