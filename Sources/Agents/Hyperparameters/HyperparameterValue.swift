import Foundation
import NeuralNet

/// A type a hyperparameter can have: read from a flag's or a config file's text, written back
/// the same way in help, and saved in a policy's metadata.
public protocol HyperparameterValue: Codable, Sendable {
    /// Reads the value as a person writes it (`0.001`, `64,64`, `linear:1:0.05:10000`); nil if
    /// the text is not one.
    init?(hyperparameterText text: String)
    /// The value as a person writes it: `init(hyperparameterText:)` reads it back.
    var hyperparameterText: String { get }
    /// The value as saved with a policy; nil leaves it out.
    var metadata: MetadataValue? { get }
    /// What a value looks like in help, e.g. `int` or `list`.
    static var valueName: String { get }
}

/// Numbers, flags and text read and write themselves as Swift's own `description` does.
extension HyperparameterValue where Self: LosslessStringConvertible {
    public init?(hyperparameterText text: String) { self.init(text) }
    public var hyperparameterText: String { description }
}

extension Int: HyperparameterValue {
    public var metadata: MetadataValue? { .int(self) }
    public static var valueName: String { "int" }
}

extension Double: HyperparameterValue {
    public var metadata: MetadataValue? { .double(self) }
    public static var valueName: String { "number" }
}

extension Float: HyperparameterValue {
    public var metadata: MetadataValue? { .double(Double(self)) }
    public static var valueName: String { "number" }
}

extension Bool: HyperparameterValue {
    public var metadata: MetadataValue? { .bool(self) }
    public static var valueName: String { "bool" }
}

extension String: HyperparameterValue {
    public var metadata: MetadataValue? { .string(self) }
    public static var valueName: String { "text" }
}

/// Comma-separated numbers, e.g. `64,64` or `-2.4,-3,-0.5,-2`.
private func numbers<Number: LosslessStringConvertible>(_ text: String) -> [Number]? {
    let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        .map { Number(String($0).trimmingCharacters(in: .whitespaces)) }
    guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else { return nil }
    return parts.compactMap { $0 }
}

extension Array: HyperparameterValue where Element: HyperparameterValue & LosslessStringConvertible {
    public init?(hyperparameterText text: String) {
        guard let values: [Element] = numbers(text) else { return nil }
        self = values
    }
    public var hyperparameterText: String { map(\.description).joined(separator: ",") }
    public var metadata: MetadataValue? {
        if let ints = self as? [Int] { return .ints(ints) }
        return .doubles(compactMap { Double($0.description) })
    }
    public static var valueName: String { "list" }
}

extension Optional: HyperparameterValue where Wrapped: HyperparameterValue {
    /// `none` is nil; anything else is read as the wrapped type.
    public init?(hyperparameterText text: String) {
        if text == "none" {
            self = .none
        } else if let value = Wrapped(hyperparameterText: text) {
            self = .some(value)
        } else {
            return nil
        }
    }
    public var hyperparameterText: String { map(\.hyperparameterText) ?? "none" }
    public var metadata: MetadataValue? { self?.metadata }
    public static var valueName: String { Wrapped.valueName }
}

extension ClosedRange: HyperparameterValue where Bound == Double {
    /// `LOW,HIGH`.
    public init?(hyperparameterText text: String) {
        guard let bounds: [Double] = numbers(text), bounds.count == 2, bounds[0] <= bounds[1] else { return nil }
        self = bounds[0]...bounds[1]
    }
    public var hyperparameterText: String { "\(lowerBound),\(upperBound)" }
    public var metadata: MetadataValue? { .doubles([lowerBound, upperBound]) }
    public static var valueName: String { "low,high" }
}

extension ExplorationSchedule: HyperparameterValue {
    public init?(hyperparameterText text: String) { self.init(parsing: text) }
    public var hyperparameterText: String { description }
    public var metadata: MetadataValue? { .string(description) }
    public static var valueName: String { "schedule" }

    public init(from decoder: any Decoder) throws { self = try decodeText(Self.self, from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(self, to: encoder) }
}

extension Activation: HyperparameterValue {
    /// The hidden-layer activations a flag can name.
    static let named: [(String, Activation)] = [("relu", .relu), ("tanh", .tanh), ("elu", .elu), ("sigmoid", .sigmoid)]

    public init?(hyperparameterText text: String) {
        guard let match = Self.named.first(where: { $0.0 == text }) else { return nil }
        self = match.1
    }
    public var hyperparameterText: String { Self.named.first { $0.1 == self }?.0 ?? "relu" }
    public var metadata: MetadataValue? { .string(hyperparameterText) }
    public static var valueName: String { named.map(\.0).joined(separator: "|") }

    public init(from decoder: any Decoder) throws { self = try decodeText(Self.self, from: decoder) }
    public func encode(to encoder: any Encoder) throws { try encodeText(self, to: encoder) }
}

/// Reads a value saved as its hyperparameter text (schedules and activations are saved as their flags read).
func decodeText<Value: HyperparameterValue>(_ type: Value.Type, from decoder: any Decoder) throws -> Value {
    let text = try decoder.singleValueContainer().decode(String.self)
    guard let value = Value(hyperparameterText: text) else {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "'\(text)' is not a \(Value.valueName)"))
    }
    return value
}

/// Saves a value as its hyperparameter text.
func encodeText<Value: HyperparameterValue>(_ value: Value, to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(value.hyperparameterText)
}
