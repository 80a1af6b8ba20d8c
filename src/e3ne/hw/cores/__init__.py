"""One model per SystemVerilog core; importing this package registers all of them."""

from e3ne.hw.cores.argmax_unit import ArgmaxUnit
from e3ne.hw.cores.base import CORE_MODELS, Core, Stream, register_core
from e3ne.hw.cores.pool_unit import PoolUnit
from e3ne.hw.cores.stream_dwc import StreamDwc
from e3ne.hw.cores.swu import Swu
from e3ne.hw.cores.synaptic_engine import SynapticEngine

__all__ = ["CORE_MODELS", "ArgmaxUnit", "Core", "PoolUnit", "Stream", "StreamDwc", "Swu",
           "SynapticEngine", "register_core"]


def _register_all() -> None:
    """Import every module of this package, so a new one registers itself by existing."""
    import importlib
    import pkgutil

    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")


_register_all()
