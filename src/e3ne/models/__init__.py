"""The model zoo (DESIGN section 6): ``build_model(name)`` and the ``ZOO`` registry."""

from e3ne.models.zoo import ZOO, ZooEntry, build_model

__all__ = ["ZOO", "ZooEntry", "build_model"]
