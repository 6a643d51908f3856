"""hubsel in the QGIS Processing toolbox.

QGIS calls ``classFactory`` when it loads the plugin, in the desktop
application (with its interface) and in ``qgis_process`` (headless, where
only ``initProcessing`` is called).
"""


def classFactory(iface):  # noqa: N802 (the name QGIS looks for)
    from .plugin import HubselPlugin

    return HubselPlugin(iface)
