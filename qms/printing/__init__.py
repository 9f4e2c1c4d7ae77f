"""Printed copies: PDF renditions of versions, stamps, the controlled-copy register."""
