"""Layer kinds of the network IR; importing this package registers all of them."""

from e3ne.layers.base import LAYER_KINDS, Layer, register
from e3ne.layers.conv import Conv
from e3ne.layers.flatten import Flatten
from e3ne.layers.linear import Linear
from e3ne.layers.pool import AvgPool, MaxPool
from e3ne.layers.synaptic import Synaptic

__all__ = [
    "LAYER_KINDS",
    "AvgPool",
    "Conv",
    "Flatten",
    "Layer",
    "Linear",
    "MaxPool",
    "Synaptic",
    "register",
]


def _register_all() -> None:
    """Import every module of this package, so a new one registers itself by existing."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_register_all()
