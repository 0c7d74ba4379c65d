import Foundation

/// One hyperparameter's value as TensorBoard's hparams plugin keeps it (a `google.protobuf.Value`).
public enum HParamValue: Sendable, Equatable {
    case number(Double)
    case text(String)
    case flag(Bool)
}

extension TensorBoardWriter {
    /// Writes a run's hyperparameters for TensorBoard's HPARAMS tab, as PyTorch's `add_hparams`
    /// does: the experiment (which hyperparameters and metrics there are), the session start
    /// (this run's values, grouped by `group`, the run's name) and its end.
    ///
    /// The plugin's messages (`tensorboard/plugins/hparams/{api,plugin_data}.proto`) are
    /// encoded by hand like the scalars: each is a `Summary.Value` with `tag` (1) and
    /// `metadata` (9: `SummaryMetadata.plugin_data` {`plugin_name` "hparams", `content`}),
    /// the content an `HParamsPluginData` holding `experiment` (2), `session_start_info` (3)
    /// or `session_end_info` (4).
    public func hparams(_ values: [(key: String, value: HParamValue)], metrics: [String], group: String,
                        wallTime: Double = Date().timeIntervalSince1970) {
        var experiment = ProtobufWriter()
        for (key, value) in values {
            var info = ProtobufWriter()
            info.string(field: 1, key)
            info.varint(field: 4, value.dataType)
            experiment.message(field: 4, info)
        }
        for metric in metrics {
            var name = ProtobufWriter()
            name.string(field: 2, metric)
            var info = ProtobufWriter()
            info.message(field: 1, name)
            experiment.message(field: 5, info)
        }
        experiment.double(field: 3, wallTime)

        var start = ProtobufWriter()
        for (key, value) in values {
            var entry = ProtobufWriter()
            entry.string(field: 1, key)
            entry.message(field: 2, value.encoded)
            start.message(field: 1, entry)
        }
        start.string(field: 4, group)
        start.double(field: 5, wallTime)

        var end = ProtobufWriter()
        end.varint(field: 1, 1)  // STATUS_SUCCESS
        end.double(field: 2, wallTime)

        for (tag, field, message) in [("_hparams_/experiment", 2, experiment), ("_hparams_/session_start_info", 3, start),
                                      ("_hparams_/session_end_info", 4, end)] {
            var content = ProtobufWriter()
            content.message(field: field, message)
            var pluginData = ProtobufWriter()
            pluginData.string(field: 1, "hparams")
            pluginData.data(field: 2, content.bytes)
            var metadata = ProtobufWriter()
            metadata.message(field: 1, pluginData)
            var entry = ProtobufWriter()
            entry.string(field: 1, tag)
            entry.message(field: 9, metadata)
            var summary = ProtobufWriter()
            summary.message(field: 1, entry)
            var event = ProtobufWriter()
            event.double(field: 1, wallTime)
            event.message(field: 5, summary)
            appendRecord(event.bytes)
        }
    }
}

extension HParamValue {
    /// The plugin's `DataType`: 1 string, 2 bool, 3 float64.
    var dataType: UInt64 {
        switch self {
        case .text: return 1
        case .flag: return 2
        case .number: return 3
        }
    }

    /// As a `google.protobuf.Value`: `number_value` (2), `string_value` (3) or `bool_value` (4).
    var encoded: ProtobufWriter {
        var value = ProtobufWriter()
        switch self {
        case .number(let number): value.double(field: 2, number)
        case .text(let text): value.string(field: 3, text)
        case .flag(let flag): value.varint(field: 4, flag ? 1 : 0)
        }
        return value
    }
}
