"""Accounts, roles, sessions, login and personal API tokens."""
