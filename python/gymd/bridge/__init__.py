"""The env bridge: serves installed Gymnasium environments over the daemon's protocol."""

from .batch import GymnasiumBatch
from .catalog import EnvCatalog
from .server import BridgeServer
from .sharded_batch import ShardedBatch

__all__ = ["BridgeServer", "EnvCatalog", "GymnasiumBatch", "ShardedBatch"]
