"""The hubsel algorithms of the Processing toolbox.

Each one exports the layers it is given (see exchange.py), runs one hubsel
command with `--progress json` (see runner.py) and hands the results back
as Processing outputs, loaded into the project with their styles.
"""

import collections
import csv
import os
import shutil
import tempfile

from qgis.core import (
    NULL,
    QgsFeature,
    QgsFeatureSink,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingAlgorithm,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingLayerPostProcessorInterface,
    QgsProcessingOutputFile,
    QgsProcessingOutputHtml,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingOutputVectorLayer,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterFile,
    QgsProcessingParameterFileDestination,
    QgsProcessingParameterFolderDestination,
    QgsProcessingParameterNumber,
    QgsProcessingUtils,
    QgsProviderRegistry,
    QgsVectorLayer,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant
from qgis.PyQt.QtGui import QIcon

from . import exchange, runner, scenario

ICON = os.path.join(os.path.dirname(__file__), "icon.svg")

# Style post-processors waiting for Processing to load their layer. They
# must outlive the algorithm: Processing runs a copy of the algorithm and
# deletes it before it loads the results, and Python would free the
# post-processors with it.
_PENDING_STYLES = collections.deque(maxlen=64)

# Share of the progress bar for exporting the input layers; hubsel's own
# stages fill the rest.
EXPORT_SHARE = 10

# The four result layers, bottom to top as they are drawn.
RESULT_LAYERS = [
    ("DISTRICTS", "districts", "Districts (hubs, travel figures)"),
    ("ROUTES", "routes", "Routes (member school to hub)"),
    ("SCHOOLS", "schools", "Schools (role, hub, travel)"),
    ("HUBS", "hubs", "Hubs (choice, score, runner-up)"),
]


class DefaultStyle(QgsProcessingLayerPostProcessorInterface):
    """Applies a result layer's default style once Processing loaded it:
    the one inside the GeoPackage (its layer_styles table). Processing
    loads result layers without their default style; QGIS itself applies
    it when an analyst adds the layer by hand."""

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        if isinstance(layer, QgsVectorLayer):
            message, ok = layer.loadDefaultStyle()
            if not ok:
                feedback.reportError(f"the style inside {layer.source()} was not applied: {message}")
            layer.triggerRepaint()


class HubselAlgorithm(QgsProcessingAlgorithm):
    """What the hubsel algorithms share."""

    def createInstance(self):  # noqa: N802
        return type(self)()

    def icon(self):
        return QIcon(ICON)

    def helpUrl(self):  # noqa: N802
        return "https://example.invalid/hubsel#for-gis-analysts"

    def _work_folder(self):
        return tempfile.mkdtemp(prefix="hubsel-", dir=QgsProcessingUtils.tempFolder())

    def _export(self, parameters, name, layer_name, context, feedback, work, names, **kw):
        """Exports one input layer for hubsel; its name for messages goes
        to `names`. Returns (hubsel argument, source ids in written order)."""
        source = self.parameterAsSource(parameters, name, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, name))
        feedback.setProgressText(f"exporting the {layer_name} layer for hubsel")
        path, argument, order = exchange.export_source(source, work, layer_name, context, feedback, **kw)
        shown = _layer_label(parameters.get(name), context)
        names[path] = f"the {layer_name} layer {shown} (exported to {path})"
        if argument != path:
            names[argument] = names[path]
        return argument, order

    def _load(self, context, uri, name, output, styled=False):
        details = QgsProcessingContext.LayerDetails(name, context.project(), output)
        if styled:
            post = DefaultStyle()
            _PENDING_STYLES.append(post)
            details.setPostProcessor(post)
        context.addLayerToLoadOnCompletion(uri, details)


def _layer_label(value, context):
    """A parameter's layer as the analyst knows it: its name in the
    project, else its file's name."""
    layer = value if isinstance(value, QgsVectorLayer) else None
    if layer is None and isinstance(value, str):
        layer = QgsProcessingUtils.mapLayerFromString(value, context)
    if not isinstance(layer, QgsVectorLayer):
        return f"«{value}»"
    if layer.name():
        return f"«{layer.name()}»"
    parts = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source())
    return f"«{os.path.basename(parts.get('path') or '') or layer.source()}»"


def _input_parameters(alg):
    alg.addParameter(
        QgsProcessingParameterFeatureSource(
            "SCHOOLS", "Schools (points: id, name, level, students, criteria fields)", [QgsProcessing.TypeVectorPoint]
        )
    )
    alg.addParameter(
        QgsProcessingParameterFeatureSource(
            "ROADS", "Roads (lines: class, maxspeed, oneway)", [QgsProcessing.TypeVectorLine]
        )
    )
    alg.addParameter(
        QgsProcessingParameterFeatureSource(
            "DISTRICTS", "Districts (polygons: code, name)", [QgsProcessing.TypeVectorPolygon]
        )
    )


def _export_inputs(alg, parameters, context, feedback, work, names):
    """Exports the schools, roads and districts; returns hubsel's input
    arguments and, by the file name hubsel reports, (layer, source feature
    ids in the order hubsel numbers them)."""
    orders = {}
    args = []
    layers = (("SCHOOLS", "schools"), ("ROADS", "roads"), ("DISTRICTS", "districts"))
    for i, (param, layer_name) in enumerate(layers):
        span = (EXPORT_SHARE * i / len(layers), EXPORT_SHARE * (i + 1) / len(layers))
        argument, order = alg._export(parameters, param, layer_name, context, feedback, work, names, span=span)
        # hubsel names a file in its rejects as it was given, or by its
        # path alone (a GeoPackage's layer left out).
        orders[argument] = orders[argument.rsplit(":", 1)[0]] = (layer_name, order)
        args += [f"--{layer_name}", argument]
    return args, orders


def _scenario_file(alg, parameters, context, feedback, work, names):
    """The scenario file given, or one written from the parameters."""
    given = alg.parameterAsFile(parameters, "SCENARIO", context)
    if given:
        feedback.pushInfo(f"scenario: {given} (the strategy, travel limit and cross-district settings are not used)")
        return given, None
    strategy = scenario.STRATEGIES[alg.parameterAsEnum(parameters, "STRATEGY", context)]
    minutes = alg.parameterAsDouble(parameters, "MAX_TRAVEL_MINUTES", context)
    cross = alg.parameterAsBoolean(parameters, "CROSS_DISTRICT", context)
    text = scenario.from_settings(strategy, minutes, cross)
    path = os.path.join(work, "scenario.toml")
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    names[path] = f"the scenario written from the algorithm's settings ({path})"
    return path, text


class SelectHubs(HubselAlgorithm):
    def name(self):
        return "selecthubs"

    def displayName(self):  # noqa: N802
        return "Select hub schools"

    def shortHelpString(self):  # noqa: N802
        return (
            "Chooses hub schools per district and level, joins the other schools to the nearest hub "
            "along the roads (door to door), and marks the schools too remote to join as stand-alone. "
            "Runs <code>hubsel run</code>.<br><br>"
            "<b>Scenario</b>: a scenario file (TOML) when given; otherwise hubsel's default scenario "
            "(the ministry's criteria) with the strategy, travel limit and cross-district setting "
            "below, written to scenario.toml in the output folder. A scenario file is strict: every "
            "field it names must be in the schools layer.<br><br>"
            "<b>Output GeoPackage</b>: the hubs, schools, routes and districts layers, each with its "
            "style inside (QGIS applies it when the layer is added), and the district_summary, rejects "
            "and run_summary tables. Beside it, with the same name: -report.html, -summary.json and, "
            "when the settings wrote one, -scenario.toml. The file is written only once the run is "
            "complete. Problems with the inputs or the scenario stop the algorithm with every problem "
            "listed with its file, line and key, and nothing is written."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        _input_parameters(self)
        self.addParameter(
            QgsProcessingParameterFile(
                "SCENARIO", "Scenario file (optional; else the settings below)", extension="toml", optional=True
            )
        )
        self.addParameter(
            QgsProcessingParameterEnum("STRATEGY", "Strategy (without a scenario file)", options=scenario.STRATEGIES, defaultValue=0)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "MAX_TRAVEL_MINUTES",
                "Longest trip to a hub, door to door, minutes (without a scenario file)",
                type=QgsProcessingParameterNumber.Double,
                minValue=0.1,
                defaultValue=45.0,
            )
        )
        self.addParameter(
            QgsProcessingParameterBoolean(
                "CROSS_DISTRICT", "A school may join a nearer hub of another district (without a scenario file)", defaultValue=False
            )
        )
        self.addParameter(
            QgsProcessingParameterFileDestination("OUTPUT", "Output GeoPackage", fileFilter="GeoPackage (*.gpkg)")
        )
        for key, _, label in RESULT_LAYERS:
            self.addOutput(QgsProcessingOutputVectorLayer(key, label))
        self.addOutput(QgsProcessingOutputHtml("REPORT", "Report"))
        self.addOutput(QgsProcessingOutputFile("SUMMARY", "summary.json"))
        self.addOutput(QgsProcessingOutputString("TEXT", "hubsel's summary"))
        self.addOutput(QgsProcessingOutputNumber("HUB_COUNT", "Hubs chosen"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        target = self.parameterAsFileOutput(parameters, "OUTPUT", context)
        if not target.lower().endswith(".gpkg"):
            target += ".gpkg"
        work = self._work_folder()
        names = {}
        inputs, _ = _export_inputs(self, parameters, context, feedback, work, names)
        scenario_path, written = _scenario_file(self, parameters, context, feedback, work, names)
        # hubsel writes its folder only when the run is complete; the
        # GeoPackage is moved to where the analyst wants it after that.
        run_folder = os.path.join(work, "run")
        lines = runner.run(
            ["run", *inputs, "--scenario", scenario_path, "--format", exchange.EXCHANGE.hubsel_format,
             "--out", run_folder, "--progress", "json"],
            feedback,
            runner.RUN_STAGES,
            runner.WRITE_SHARE,
            names,
            span=(EXPORT_SHARE, 100),
        )
        for key, layer, label in RESULT_LAYERS:
            if not exchange.result_exists(run_folder, layer):
                raise QgsProcessingException(f"hubsel finished but wrote no {layer} layer in {run_folder}")
        beside = _place_results(run_folder, target, scenario_path if written is not None else None)
        results = {"OUTPUT": target, "REPORT": beside["report"], "SUMMARY": beside["summary"],
                   "TEXT": "\n".join(lines)}
        for key, layer, label in RESULT_LAYERS:
            uri = f"{target}|layername={layer}"
            # No .qml: QGIS takes each layer's default style from the
            # GeoPackage's layer_styles table as it adds the layer.
            self._load(context, uri, layer, key, styled=True)
            results[key] = uri
        hubs = QgsVectorLayer(results["HUBS"], "hubs", "ogr")
        results["HUB_COUNT"] = hubs.featureCount() if hubs.isValid() else 0
        return results


def _place_results(run_folder, target, scenario_path):
    """Moves hubsel's GeoPackage to `target` and puts the report, the
    summary and the scenario written from the settings beside it, named
    after it (`name-report.html`, ...). A journal left from an earlier file
    at `target` (-wal, -shm) would be read as part of the new file: it is
    removed first. Returns the paths beside it."""
    folder = os.path.dirname(os.path.abspath(target))
    os.makedirs(folder, exist_ok=True)
    stem = target[: -len(".gpkg")]
    beside = {"report": f"{stem}-report.html", "summary": f"{stem}-summary.json"}
    for journal in (f"{target}-wal", f"{target}-shm", f"{target}-journal"):
        if os.path.exists(journal):
            os.remove(journal)
    partial = f"{target}.part"
    shutil.copyfile(os.path.join(run_folder, exchange.RESULT_FILE), partial)
    os.replace(partial, target)
    shutil.copyfile(os.path.join(run_folder, "report.html"), beside["report"])
    shutil.copyfile(os.path.join(run_folder, "summary.json"), beside["summary"])
    if scenario_path is not None:
        # So that the run can be repeated and read.
        beside["scenario"] = f"{stem}-scenario.toml"
        shutil.copyfile(scenario_path, beside["scenario"])
    elif os.path.exists(f"{stem}-scenario.toml"):
        # Left by an earlier run to this output from the settings: this run
        # used a scenario file of its own, and "repeat this run" must not
        # find the other one.
        os.remove(f"{stem}-scenario.toml")
    return beside


REJECT_FIELDS = ["file", "line", "id", "name", "field", "reason", "action"]


class CheckInputs(HubselAlgorithm):
    def name(self):
        return "checkinputs"

    def displayName(self):  # noqa: N802
        return "Check inputs"

    def shortHelpString(self):  # noqa: N802
        return (
            "Reads and checks the schools, roads and districts (and the scenario, when given) without "
            "choosing hubs: ids, districts, point in polygon, distance to the roads, road islands and "
            "one-way traps. Runs <code>hubsel validate</code>.<br><br>"
            "<b>Rejects</b>: one row per refused or flagged input row (rejects.csv), with the layer, "
            "the feature's number and its id in the source layer. <b>Rejected schools</b>: the schools "
            "among them, as points."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        _input_parameters(self)
        self.addParameter(
            QgsProcessingParameterFile("SCENARIO", "Scenario file (optional; else hubsel's default)", extension="toml", optional=True)
        )
        self.addParameter(QgsProcessingParameterFeatureSink("REJECTS", "Rejects", QgsProcessing.TypeVector))
        self.addParameter(
            QgsProcessingParameterFeatureSink(
                "REJECTED_SCHOOLS", "Rejected and flagged schools", QgsProcessing.TypeVectorPoint, optional=True,
                createByDefault=True,
            )
        )
        self.addOutput(QgsProcessingOutputNumber("REJECT_COUNT", "Reject rows"))
        self.addOutput(QgsProcessingOutputString("TEXT", "hubsel's summary"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        work = self._work_folder()
        names = {}
        inputs, orders = _export_inputs(self, parameters, context, feedback, work, names)
        args = ["validate", *inputs, "--out", os.path.join(work, "validate"), "--progress", "json"]
        given = self.parameterAsFile(parameters, "SCENARIO", context)
        if given:
            args += ["--scenario", given]
        lines = runner.run(args, feedback, runner.VALIDATE_STAGES, 0, names, span=(EXPORT_SHARE, 95))
        with open(os.path.join(work, "validate", "rejects.csv"), encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        fields = QgsFields()
        for name in ["layer", "source_fid", *REJECT_FIELDS]:
            kind = QVariant.LongLong if name in ("source_fid", "line") else QVariant.String
            fields.append(QgsField(name, kind))
        sink, rejects_id = self.parameterAsSink(parameters, "REJECTS", context, fields, QgsWkbTypes.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "REJECTS"))
        schools = self.parameterAsSource(parameters, "SCHOOLS", context)
        point_sink, points_id = self.parameterAsSink(
            parameters, "REJECTED_SCHOOLS", context, fields, QgsWkbTypes.Point, schools.sourceCrs()
        )
        by_fid = {}
        for row in rows:
            layer, order = orders.get(row["file"], ("", []))
            line = int(row["line"]) if row["line"].strip().isdigit() else None
            # hubsel numbers an exported layer's features from 1, in the
            # order the plugin wrote them.
            fid = order[line - 1] if line is not None and 0 < line <= len(order) else None
            shown_file = names.get(row["file"], row["file"])
            values = [layer, fid, shown_file, line, row["id"], row["name"], row["field"], row["reason"], row["action"]]
            feature = QgsFeature(fields)
            feature.setAttributes(values)
            sink.addFeature(feature, QgsFeatureSink.FastInsert)
            if layer == "schools" and fid is not None:
                by_fid.setdefault(fid, []).append(values)
        if point_sink is not None and by_fid:
            for source_feature in schools.getFeatures():
                for values in by_fid.get(source_feature.id(), []):
                    feature = QgsFeature(fields)
                    feature.setGeometry(source_feature.geometry())
                    feature.setAttributes(values)
                    point_sink.addFeature(feature, QgsFeatureSink.FastInsert)
        results = {"REJECTS": rejects_id, "REJECT_COUNT": len(rows), "TEXT": "\n".join(lines)}
        if point_sink is not None:
            results["REJECTED_SCHOOLS"] = points_id
        return results


class CompareRuns(HubselAlgorithm):
    def name(self):
        return "compareruns"

    def displayName(self):  # noqa: N802
        return "Compare two runs"

    def shortHelpString(self):  # noqa: N802
        return (
            "Two runs side by side: the output GeoPackages of Select hub schools (or the output folders "
            "of hubsel run): the figures, the district levels whose hubs differ, and the schools that "
            "changed hub or role. Runs "
            "<code>hubsel compare</code>.<br><br><b>Changes</b>: compare.geojson, one feature per "
            "changed hub or school. <b>Table</b>: compare.txt."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        for key, label in (("RUN_A", "First run"), ("RUN_B", "Second run")):
            self.addParameter(
                QgsProcessingParameterFile(
                    key, f"{label} (its GeoPackage, or the summary.json of a run folder)",
                    fileFilter="hubsel runs (*.gpkg summary.json);;All files (*)",
                )
            )
        self.addParameter(QgsProcessingParameterFolderDestination("OUTPUT", "Output folder"))
        self.addOutput(QgsProcessingOutputVectorLayer("CHANGES", "Changes between the runs"))
        self.addOutput(QgsProcessingOutputString("TEXT", "Comparison table"))
        self.addOutput(QgsProcessingOutputFile("TABLE", "compare.txt"))

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        a = self.parameterAsFile(parameters, "RUN_A", context)
        b = self.parameterAsFile(parameters, "RUN_B", context)
        out = self.parameterAsString(parameters, "OUTPUT", context)
        a, b = (_run_path(path) for path in (a, b))
        feedback.setProgressText("hubsel: comparing the runs")
        runner.run(["compare", a, b, "--out", out], feedback)
        layer = os.path.join(out, "compare.geojson")
        table = os.path.join(out, "compare.txt")
        with open(table, encoding="utf-8") as f:
            text = f.read()
        self._load(context, layer, "compare", "CHANGES")
        return {"CHANGES": layer, "TEXT": text, "TABLE": table}


def _run_path(path):
    """What `hubsel compare` is given for a run: a run's GeoPackage as it
    is, a run folder for its summary.json (or the folder itself)."""
    if os.path.isfile(path) and path.lower().endswith(".gpkg"):
        return path
    if os.path.basename(path) == "summary.json" and os.path.isfile(path):
        return os.path.dirname(path)
    if os.path.isdir(path):
        return path
    raise QgsProcessingException(f"{path} is neither a run's GeoPackage nor a run folder's summary.json")


class TravelTimes(HubselAlgorithm):
    def name(self):
        return "traveltimes"

    def displayName(self):  # noqa: N802
        return "Travel-time matrix"

    def shortHelpString(self):  # noqa: N802
        return (
            "Door-to-door travel times from every origin to every destination along the roads, as "
            "hubsel measures a member school's trip to its hub: the off-road leg at each end, the "
            "roads at the scenario's speeds, one-way rules. Runs <code>hubsel matrix</code>.<br><br>"
            "<b>Ids</b>: a field of each layer, else the feature id. <b>Scenario</b>: its speeds_kmh, "
            "offroad_speed_kmh, max_snap_m and small_component_junctions (hubsel's default when "
            "absent). <b>Longest trip</b>: longer trips (and points off the roads) get no minutes; "
            "0 keeps every trip up to the scenario's search cutoff (a day).<br><br>"
            "<b>Matrix</b>: one row per origin and destination: origin_id, destination_id, "
            "travel_min, road_km."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        for side, label in (("ORIGINS", "Origins"), ("DESTINATIONS", "Destinations")):
            self.addParameter(QgsProcessingParameterFeatureSource(side, f"{label} (points)", [QgsProcessing.TypeVectorPoint]))
            self.addParameter(
                QgsProcessingParameterField(
                    f"{side[:-1]}_ID", f"{label[:-1]} id field (else the feature id)", parentLayerParameterName=side,
                    optional=True,
                )
            )
        self.addParameter(
            QgsProcessingParameterFeatureSource("ROADS", "Roads (lines: class, maxspeed, oneway)", [QgsProcessing.TypeVectorLine])
        )
        self.addParameter(
            QgsProcessingParameterFile("SCENARIO", "Scenario file for speeds and snapping (optional)", extension="toml", optional=True)
        )
        self.addParameter(
            QgsProcessingParameterNumber(
                "MAX_MINUTES", "Longest trip kept, door to door, minutes (0: up to the search cutoff)",
                type=QgsProcessingParameterNumber.Double, minValue=0.0, defaultValue=0.0,
            )
        )
        self.addParameter(QgsProcessingParameterFeatureSink("OUTPUT", "Travel-time matrix", QgsProcessing.TypeVector))
        self.addOutput(QgsProcessingOutputNumber("REACHED", "Pairs with a trip"))
        self.addOutput(QgsProcessingOutputString("TEXT", "hubsel's summary"))

    def _export_points(self, parameters, side, layer_name, context, feedback, work, names, span):
        source = self.parameterAsSource(parameters, side, context)
        if source is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, side))
        id_field = self.parameterAsString(parameters, f"{side[:-1]}_ID", context)
        index = source.fields().lookupField(id_field) if id_field else -1
        name_index = source.fields().lookupField("name")
        fields = QgsFields()
        for name in ("id", "name", "level"):
            fields.append(QgsField(name, QVariant.String))

        def values(feature):
            raw = feature.attribute(index) if index >= 0 else feature.id()
            if isinstance(raw, float) and raw.is_integer():
                raw = int(raw)  # a numeric id column read as real numbers
            ident = "" if raw is None or raw == NULL else str(raw)
            label = feature.attribute(name_index) if name_index >= 0 else ""
            # hubsel reads the points as schools: the level is not used.
            return [ident, "" if label is None or label == NULL else str(label), ""]

        return self._export(parameters, side, layer_name, context, feedback, work, names,
                            fields=fields, values=values, span=span)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        work = self._work_folder()
        names = {}
        origins, _ = self._export_points(parameters, "ORIGINS", "origins", context, feedback, work, names, (0, 4))
        destinations, _ = self._export_points(
            parameters, "DESTINATIONS", "destinations", context, feedback, work, names, (4, 7)
        )
        roads, _ = self._export(parameters, "ROADS", "roads", context, feedback, work, names, span=(7, EXPORT_SHARE))
        out = os.path.join(work, "matrix.csv")
        args = ["matrix", "--origins", origins, "--destinations", destinations, "--roads", roads,
                "--out", out, "--progress", "json"]
        given = self.parameterAsFile(parameters, "SCENARIO", context)
        if given:
            args += ["--scenario", given]
        minutes = self.parameterAsDouble(parameters, "MAX_MINUTES", context)
        if minutes > 0:
            args += ["--max-minutes", repr(minutes)]
        lines = runner.run(args, feedback, runner.MATRIX_STAGES, 5, names, span=(EXPORT_SHARE, 90))
        fields = QgsFields()
        fields.append(QgsField("origin_id", QVariant.String))
        fields.append(QgsField("destination_id", QVariant.String))
        fields.append(QgsField("travel_min", QVariant.Double))
        fields.append(QgsField("road_km", QVariant.Double))
        sink, sink_id = self.parameterAsSink(parameters, "OUTPUT", context, fields, QgsWkbTypes.NoGeometry)
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        reached = 0
        with open(out, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                if feedback.isCanceled():
                    break
                minutes_cell, km_cell = row["travel_min"], row["road_km"]
                feature = QgsFeature(fields)
                feature.setAttributes([
                    row["origin_id"], row["destination_id"],
                    float(minutes_cell) if minutes_cell else None, float(km_cell) if km_cell else None,
                ])
                reached += bool(minutes_cell)
                sink.addFeature(feature, QgsFeatureSink.FastInsert)
        feedback.setProgress(100)
        return {"OUTPUT": sink_id, "REACHED": reached, "TEXT": "\n".join(lines)}


ALGORITHMS = [SelectHubs, CheckInputs, CompareRuns, TravelTimes]
