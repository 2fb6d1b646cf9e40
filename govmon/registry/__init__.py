"""The registry: which sites and accounts are inspected (CONTRACT.md §1)."""

from govmon.registry.importer import ImportResult, RegistryImportError, import_registry

__all__ = ["ImportResult", "RegistryImportError", "import_registry"]
