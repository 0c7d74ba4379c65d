import Foundation
import NeuralNet

/// Everything a training run carries from one step boundary to the next, tracked by name, so a
/// checkpoint saves it and a resumed run restores it bit for bit.
///
/// An algorithm tracks its parts (networks, target networks, optimizer moments, replay, random
/// streams, counters, schedules, noise, validation) once they exist and before its loop starts,
/// through closures that read and write its own variables; the loop it runs in tracks the
/// environments and its counters; the session tracks the monitor. Then `markComplete()` says
/// nothing is left out, and only then are checkpoints written or resumed: an algorithm that
/// tracks nothing still stops cleanly on a signal, but writes no checkpoint it could not resume.
///
/// Values (counters, generators, schedules) go to `state.json` by part name; arrays of floats go
/// to `state.safetensors` as `part/name`, bit-exact.
public final class RunState {
    /// The JSON key of one part.
    struct PartKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Part {
        let name: String
        let save: () throws -> (encode: (inout KeyedEncodingContainer<PartKey>) throws -> Void, tensors: [String: Tensor])
        let restore: (KeyedDecodingContainer<PartKey>, [String: Tensor]) throws -> Void
    }

    private var parts: [Part] = []
    /// Whether the algorithm tracks everything it carries (checkpoints are written and resumed only then).
    public private(set) var isComplete = false

    /// Nothing tracked yet.
    public init() {}

    /// Tracks a part with a JSON value and tensors: `save` reads them at a step boundary, and
    /// `restore` writes them back before the loop starts (it must check what it is given: the
    /// file it came from is untrusted).
    public func track<Value: Codable>(_ name: String, save: @escaping () throws -> (Value, [String: Tensor]),
                                      restore: @escaping (Value, [String: Tensor]) throws -> Void) {
        precondition(!parts.contains { $0.name == name }, "two run-state parts named \(name)")
        parts.append(Part(name: name, save: {
            let (value, tensors) = try save()
            return ({ container in try container.encode(value, forKey: PartKey(name)) }, tensors)
        }, restore: { container, tensors in
            guard container.contains(PartKey(name)) else { throw RunStateError("has no \(name)") }
            let value: Value
            do {
                value = try container.decode(Value.self, forKey: PartKey(name))
            } catch {
                throw RunStateError("has an unreadable \(name): \(error)")
            }
            try restore(value, tensors)
        }))
    }

    /// Tracks a JSON value alone.
    public func track<Value: Codable>(_ name: String, value: @escaping () -> Value, restore: @escaping (Value) throws -> Void) {
        track(name, save: { (value(), [:]) }, restore: { saved, _ in try restore(saved) })
    }

    /// Tracks a loop's counters, refusing negative or non-finite ones.
    public func track(_ name: String, counters: @escaping () -> LoopCounters, restore: @escaping (LoopCounters) -> Void) {
        track(name, value: counters, restore: { saved in
            guard saved.step >= 0, saved.updates >= 0, saved.updateCredit.isFinite, saved.updateCredit >= 0 else {
                throw RunStateError("has negative counters")
            }
            restore(saved)
        })
    }

    /// Tracks parameters (a network, a target network, a temperature) by position.
    public func track(_ name: String, parameters: [Parameter]) {
        track(name, save: { (parameters.count, Dictionary(uniqueKeysWithValues: parameters.enumerated().map { ("\($0)", $1.value) })) },
              restore: { (count: Int, tensors: [String: Tensor]) in
                  guard count == parameters.count, tensors.count == count else {
                      throw RunStateError("has \(count) parameters for \(name); the network has \(parameters.count)")
                  }
                  let values = try parameters.enumerated().map { index, parameter in
                      guard let tensor = tensors["\(index)"], tensor.shape == parameter.shape else {
                          throw RunStateError("has no parameter \(index) of shape \(parameter.shape) for \(name)")
                      }
                      return tensor
                  }
                  for (parameter, value) in zip(parameters, values) { parameter.value = value }
              })
    }

    /// Tracks an Adam optimizer: its step count, learning rate (schedules change it) and both moments.
    public func track(_ name: String, optimizer: Adam) {
        struct Saved: Codable { var stepCount: Int; var learningRate: Double }
        track(name, save: {
            let moments = optimizer.moments
            var tensors: [String: Tensor] = [:]
            for (index, (m, v)) in zip(moments.first, moments.second).enumerated() {
                tensors["m.\(index)"] = m
                tensors["v.\(index)"] = v
            }
            return (Saved(stepCount: moments.stepCount, learningRate: optimizer.learningRate), tensors)
        }, restore: { (saved: Saved, tensors: [String: Tensor]) in
            guard saved.stepCount >= 0, saved.learningRate.isFinite, tensors.count == 2 * optimizer.parameters.count else {
                throw RunStateError("has an optimizer state for \(name) that does not fit its \(optimizer.parameters.count) parameters")
            }
            let count = optimizer.parameters.count
            let first = try (0..<count).map { index in
                guard let m = tensors["m.\(index)"] else { throw RunStateError("lacks \(name)'s first moment \(index)") }
                return m
            }
            let second = try (0..<count).map { index in
                guard let v = tensors["v.\(index)"] else { throw RunStateError("lacks \(name)'s second moment \(index)") }
                return v
            }
            do {
                try optimizer.restore(stepCount: saved.stepCount, first: first, second: second)
            } catch {
                throw RunStateError("has optimizer moments for \(name) that do not fit: \(error)")
            }
            optimizer.learningRate = saved.learningRate
        })
    }

    /// Says every part is tracked: checkpoints of this run can be written and resumed.
    public func markComplete() { isComplete = true }

    /// The manifest's values and every part's tensors (prefixed with the part's name).
    func save() throws -> (values: Values, tensors: [String: Tensor]) {
        var encoders: [(inout KeyedEncodingContainer<PartKey>) throws -> Void] = []
        var tensors: [String: Tensor] = [:]
        for part in parts {
            let (encode, partTensors) = try part.save()
            encoders.append(encode)
            for (key, tensor) in partTensors { tensors["\(part.name)/\(key)"] = tensor }
        }
        return (Values(encoders: encoders), tensors)
    }

    /// Restores every part from a checkpoint's manifest and tensors; a part missing, or one in
    /// the file that this run does not have, throws.
    func restore(manifest: Data, tensors: [String: Tensor]) throws {
        let decoder = JSONDecoder()
        decoder.userInfo[Self.restoringKey] = Restoring(state: self, tensors: tensors)
        do {
            _ = try decoder.decode(Envelope.self, from: manifest)
        } catch let error as RunStateError {
            throw error
        } catch {
            throw RunStateError("is not a run state: \(error)")
        }
        let names = Set(parts.map(\.name))
        if let stray = tensors.keys.sorted().first(where: { key in !names.contains(String(key.prefix { $0 != "/" })) }) {
            throw RunStateError("has a tensor \(stray) that no part of this run reads")
        }
    }

    /// The manifest's `values` object, written part by part.
    struct Values: Encodable {
        let encoders: [(inout KeyedEncodingContainer<PartKey>) throws -> Void]

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: PartKey.self)
            for encode in encoders { try encode(&container) }
        }
    }

    private static let restoringKey = CodingUserInfoKey(rawValue: "gym.run-state")!

    /// What `restore` hands the decoder (used on this thread only, during one decode).
    private final class Restoring: @unchecked Sendable {
        let state: RunState
        let tensors: [String: Tensor]
        init(state: RunState, tensors: [String: Tensor]) {
            self.state = state
            self.tensors = tensors
        }
    }

    /// Decodes the manifest's `values`, restoring each part as it goes.
    private struct Envelope: Decodable {
        init(from decoder: any Decoder) throws {
            guard let restoring = decoder.userInfo[RunState.restoringKey] as? Restoring else {
                throw RunStateError("cannot be restored without a run state")
            }
            let outer = try decoder.container(keyedBy: PartKey.self)
            let values = try outer.nestedContainer(keyedBy: PartKey.self, forKey: PartKey("values"))
            let names = Set(restoring.state.parts.map(\.name))
            if let stray = values.allKeys.map(\.stringValue).sorted().first(where: { !names.contains($0) }) {
                throw RunStateError("has a part \(stray) that this run does not have (another algorithm's checkpoint?)")
            }
            for part in restoring.state.parts {
                let prefix = part.name + "/"
                var own: [String: Tensor] = [:]
                for (key, tensor) in restoring.tensors where key.hasPrefix(prefix) { own[String(key.dropFirst(prefix.count))] = tensor }
                try part.restore(values, own)
            }
        }
    }
}

/// What is wrong with a saved run state; the reader names the file around it.
struct RunStateError: Error, CustomStringConvertible {
    /// Reads after "the checkpoint …".
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
