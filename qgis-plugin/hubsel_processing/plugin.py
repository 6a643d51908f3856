"""The plugin object QGIS holds: it registers the Processing provider."""

from qgis.core import QgsApplication

from .provider import HubselProvider


class HubselPlugin:
    def __init__(self, iface):
        self.iface = iface
        self.provider = None

    def initProcessing(self):  # noqa: N802 (QGIS's name; qgis_process calls it)
        if self.provider is None:
            self.provider = HubselProvider()
            QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
