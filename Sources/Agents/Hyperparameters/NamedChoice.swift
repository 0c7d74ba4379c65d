import Foundation
import NeuralNet

/// A choice among named cases: the text is the raw value.
public protocol NamedChoice: HyperparameterValue, RawRepresentable, CaseIterable where RawValue == String {}

extension NamedChoice {
    public init?(hyperparameterText text: String) { self.init(rawValue: text) }
    public var hyperparameterText: String { rawValue }
    public var metadata: MetadataValue? { .string(rawValue) }
    public static var valueName: String { allCases.map(\.rawValue).joined(separator: "|") }
}
