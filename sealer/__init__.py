"""sealer: SOPS-compatible sealed values in ordinary config files, for git."""

__version__ = "0.1.0"
