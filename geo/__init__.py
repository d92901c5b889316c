"""Geopolitical entity map: articles -> entities -> places -> routes, offline by default."""

__version__ = "0.1.0"
