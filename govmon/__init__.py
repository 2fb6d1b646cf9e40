"""govmon: inspection of government websites and government new-media accounts.

Domain logic lives here; DAG files in ``dags/`` and spiders in ``spiders/`` only wire it.
"""

__version__ = "0.1.0"
