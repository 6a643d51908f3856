"""hubsel for researchers: hub school selection along road networks.

>>> import hubsel
>>> result = hubsel.run()                 # the embedded province, default scenario
>>> result.hubs.head()                    # a GeoDataFrame, EPSG:4326

``run`` gives what ``hubsel run`` gives; ``Network`` prepares the travel
times once for many selections and matrices; ``solve`` is hubsel's solver
on any cost matrix (beside spopt's models); ``sweep`` runs scenarios ×
strategies × seeds, serially or on a Dask cluster.
"""

from ._api import (
    LAYERS,
    Network,
    Result,
    default_scenario,
    run,
    scenario_source,
    solve,
    strategies,
)
from .errors import HubselError, Problem
from .sweep import sweep

__all__ = [
    "LAYERS",
    "HubselError",
    "Network",
    "Problem",
    "Result",
    "default_scenario",
    "run",
    "scenario_source",
    "solve",
    "strategies",
    "sweep",
]
__version__ = "0.1.0"
