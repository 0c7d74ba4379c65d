"""The env bridge: serves installed Gymnasium environments over the daemon's protocol."""

from .batch import GymnasiumBatch
from .catalog import EnvCatalog
from .server import BridgeServer

__all__ = ["BridgeServer", "EnvCatalog", "GymnasiumBatch"]
