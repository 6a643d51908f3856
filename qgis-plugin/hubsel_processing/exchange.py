"""How layers travel between QGIS and hubsel: the one place that says in
which file format the plugin writes hubsel's inputs and asks hubsel for its
results.

``EXCHANGE`` is GeoPackage, QGIS's own default format: the inputs are
exported as one-layer GeoPackages named to hubsel as ``file.gpkg:layer``,
and hubsel writes its results as one ``hubsel.gpkg`` (``--format gpkg``)
whose four layers carry their styles inside (the ``layer_styles`` table), so
QGIS styles them when they are added, with no .qml beside them. GeoJSON
(RFC 7946) stays available as ``GEOJSON`` for a hubsel older than its
GeoPackage support.
"""

import os
from dataclasses import dataclass

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFeature,
    QgsFeatureRequest,
    QgsProcessingException,
    QgsVectorFileWriter,
)


@dataclass(frozen=True)
class Exchange:
    #: OGR driver the inputs are written with.
    driver: str
    #: File extension of an exported input.
    extension: str
    #: Writer options of the exported inputs.
    layer_options: tuple
    #: `hubsel run --format` value for the results.
    hubsel_format: str


GEOJSON = Exchange("GeoJSON", "geojson", ("RFC7946=YES",), "geojson")
GPKG = Exchange("GPKG", "gpkg", ("SPATIAL_INDEX=NO",), "gpkg")

EXCHANGE = GPKG

WGS84 = QgsCoordinateReferenceSystem("EPSG:4326")

#: The file hubsel writes its results to with `--format gpkg`.
RESULT_FILE = "hubsel.gpkg"


def input_argument(path, name, exchange=None):
    """How hubsel is told about an exported input: the file, or for a
    GeoPackage the file and its layer (`file.gpkg:layer`)."""
    exchange = exchange or EXCHANGE
    return f"{path}:{name}" if exchange.extension == "gpkg" else path


def export_source(source, folder, name, context, feedback, fields=None, values=None, exchange=None, span=(0, 100)):
    """Writes a Processing feature source to `folder/name.<ext>` in
    EPSG:4326, for hubsel. `fields` and `values(feature)` replace the
    source's fields and attributes when given (e.g. an id and a name only).
    Returns (path, hubsel argument, source feature ids in written order):
    hubsel numbers features from 1 in that order in its rejects. Progress
    fills `span` (low, high percent) of the algorithm's bar."""
    exchange = exchange or EXCHANGE
    path = os.path.join(folder, f"{name}.{exchange.extension}")
    options = QgsVectorFileWriter.SaveVectorOptions()
    options.driverName = exchange.driver
    options.fileEncoding = "UTF-8"
    options.layerName = name
    options.layerOptions = list(exchange.layer_options)
    out_fields = fields if fields is not None else source.fields()
    writer = QgsVectorFileWriter.create(
        path, out_fields, source.wkbType(), WGS84, context.transformContext(), options
    )
    if writer.hasError() != QgsVectorFileWriter.NoError:
        raise QgsProcessingException(f"cannot write {path}: {writer.errorMessage()}")
    transform = QgsCoordinateTransform(source.sourceCrs(), WGS84, context.transformContext())
    order = []
    total = source.featureCount() or 1
    for i, feature in enumerate(source.getFeatures(QgsFeatureRequest())):
        if feedback is not None and feedback.isCanceled():
            break
        out = QgsFeature(out_fields)
        if feature.hasGeometry():
            geometry = feature.geometry()
            if source.sourceCrs() != WGS84:
                geometry.transform(transform)
            out.setGeometry(geometry)
        out.setAttributes(values(feature) if values else feature.attributes())
        if not writer.addFeature(out):
            raise QgsProcessingException(f"cannot write feature {feature.id()} to {path}: {writer.errorMessage()}")
        order.append(feature.id())
        if feedback is not None and i % 500 == 0:
            feedback.setProgress(span[0] + (span[1] - span[0]) * i / total)
    del writer  # closes the file
    return path, input_argument(path, name, exchange), order


def result_uri(folder, layer, exchange=None):
    """The URI QGIS opens one of hubsel's result layers from."""
    exchange = exchange or EXCHANGE
    if exchange.hubsel_format == "gpkg":
        return f"{os.path.join(folder, RESULT_FILE)}|layername={layer}"
    return os.path.join(folder, f"{layer}.{exchange.extension}")


def result_exists(folder, layer, exchange=None):
    uri = result_uri(folder, layer, exchange)
    return os.path.isfile(uri.split("|", 1)[0])
