"""The hubsel Processing provider: its algorithms and its one setting, the
path of the hubsel binary (Processing > Options > Providers > hubsel)."""

import os

from qgis.core import QgsProcessingProvider
from qgis.PyQt.QtGui import QIcon

from .algorithms import ALGORITHMS
from .runner import BINARY_SETTING

ICON = os.path.join(os.path.dirname(__file__), "icon.svg")


def _config():
    """Processing's settings store, or None where the processing plugin is
    not importable (then only HUBSEL_BIN and PATH are looked at)."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:
        return None, None
    return ProcessingConfig, Setting


class HubselProvider(QgsProcessingProvider):
    def id(self):
        return "hubsel"

    def name(self):
        return "hubsel"

    def longName(self):  # noqa: N802
        return "hubsel: hub school selection along the roads"

    def icon(self):
        return QIcon(ICON)

    def load(self):
        config, setting = _config()
        if config is not None:
            config.settingIcons[self.name()] = self.icon()
            config.addSetting(
                setting(
                    self.name(),
                    BINARY_SETTING,
                    "hubsel binary (empty: the HUBSEL_BIN environment variable, then PATH)",
                    "",
                    valuetype=setting.FILE,
                )
            )
            config.readSettings()
        self.refreshAlgorithms()
        return True

    def unload(self):
        config, _ = _config()
        if config is not None:
            config.removeSetting(BINARY_SETTING)

    def loadAlgorithms(self):  # noqa: N802
        for algorithm in ALGORITHMS:
            self.addAlgorithm(algorithm())
