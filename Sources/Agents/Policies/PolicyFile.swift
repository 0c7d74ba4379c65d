import Foundation
import GymCore
import NeuralNet

/// What a saved policy says about itself: where it came from and how to rebuild it.
public struct PolicyMetadata: Codable, Sendable, Equatable {
    /// Version of this layout.
    public var format = PolicyFile.format
    /// The algorithm that trained it (`dqn`, `sarsa`, ...).
    public var algo: String
    /// The environment id it was trained on.
    public var env: String
    /// `q_network`, `q_table`, `categorical_policy` or `continuous_actor`.
    public var policy: String
    /// The observation space, Gymnasium-style (`Box(...)`).
    public var observationSpace: String
    /// The action space, Gymnasium-style (`Discrete(2)`).
    public var actionSpace: String
    /// Features per observation.
    public var observationSize: Int
    /// Discrete: the number of actions; Box: the floats in one action.
    public var actionCount: Int
    /// The run's seed; `gym eval` evaluates on the same episode seeds by default.
    public var seed: UInt64
    /// What rebuilds the policy (activation and sizes, bins and ranges, or an actor's scalings).
    public var structure: [String: MetadataValue]
    /// The training run's settings.
    public var hyperparameters: [String: MetadataValue]
    /// The greedy evaluation after training, if there was one.
    public var evaluation: Evaluation?
    /// The training run's name (`--run-name`); nil in policies saved before runs had names.
    public var run: String?

    /// A summary of a greedy evaluation.
    public struct Evaluation: Codable, Sendable, Equatable {
        /// Episodes played.
        public var episodes: Int
        /// Mean return.
        public var mean: Double
        /// Population standard deviation of the returns.
        public var std: Double

        /// Creates a summary.
        public init(episodes: Int, mean: Double, std: Double) {
            self.episodes = episodes
            self.mean = mean
            self.std = std
        }
    }

    /// Creates metadata in the current format.
    public init(algo: String, env: String, policy: String, observationSpace: String, actionSpace: String, observationSize: Int,
                actionCount: Int, seed: UInt64, structure: [String: MetadataValue], hyperparameters: [String: MetadataValue],
                evaluation: Evaluation?, run: String? = nil) {
        self.run = run
        self.algo = algo
        self.env = env
        self.policy = policy
        self.observationSpace = observationSpace
        self.actionSpace = actionSpace
        self.observationSize = observationSize
        self.actionCount = actionCount
        self.seed = seed
        self.structure = structure
        self.hyperparameters = hyperparameters
        self.evaluation = evaluation
    }
}

/// A policy saved as safetensors: the parameters as float32 tensors (PyTorch `state_dict` names
/// for networks, `q_table` for tables) and, in the header's `__metadata__`, the algorithm,
/// environment, spaces and hyperparameters, with the whole `PolicyMetadata` as JSON under
/// `gym_policy`. The same JSON, pretty-printed, goes beside it as `FILE.json`.
///
/// A `continuous_actor` is an `nn.Sequential` actor whose structure also holds how observations
/// are normalised (`observation_center`, `observation_half_width`: the network sees
/// `(obs − center) / half_width`, clamped to `±observation_clip` when the structure has one)
/// and the action bounds its `[−1, 1]` outputs span
/// (`action_low`, `action_high`), so that another program can act with it exactly.
public enum PolicyFile {
    /// The current layout's name.
    public static let format = "gym-policy-v1"

    /// Writes `policy` and its metadata to `url` and `url.json`.
    public static func save(_ policy: any Policy, metadata: PolicyMetadata, to url: URL) throws(AgentError) {
        let checkpoint = policy.checkpoint
        let compact = try json(metadata, pretty: false)
        let header = ["format": format, "algo": metadata.algo, "env": metadata.env, "policy": checkpoint.kind, "gym_policy": compact]
            .merging(metadata.run.map { ["run": $0] } ?? [:]) { first, _ in first }
        do {
            try SafeTensors.save(checkpoint.tensors, metadata: header, to: url)
            try Data((try json(metadata, pretty: true) + "\n").utf8).write(to: sidecar(of: url), options: .atomic)
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.io, "cannot save the policy to \(url.path): \(error)")
        }
    }

    /// Reads a policy saved by `save`.
    public static func load(from url: URL) throws(AgentError) -> (policy: any Policy, metadata: PolicyMetadata) {
        let file: SafeTensorsFile
        do {
            file = try SafeTensors.load(from: url)
        } catch where error.code == .io {
            throw AgentError(.policyFile, error.message)
        } catch {
            throw AgentError(.policyFile, "\(url.path) is not a valid safetensors file: \(error)")
        }
        guard let text = file.metadata["gym_policy"],
              let metadata = try? decoder.decode(PolicyMetadata.self, from: Data(text.utf8)) else {
            throw AgentError(.policyFile, "\(url.path) has no gym_policy metadata: it was not saved by gym train")
        }
        guard metadata.format == format else {
            throw AgentError(.policyFile, "\(url.path) is in format \(metadata.format); this build reads \(format)")
        }
        let policy = try rebuild(PolicyCheckpoint(kind: metadata.policy, tensors: file.tensors, structure: metadata.structure), url: url)
        guard policy.observationSize == metadata.observationSize, policy.actionCount == metadata.actionCount else {
            throw AgentError(.policyFile, "\(url.path): tensors do not match the sizes in the metadata")
        }
        return (policy, metadata)
    }

    /// The policy `checkpoint` describes, read from `url` (named in errors): the tensors are
    /// checked against the structure, so a hostile file throws instead of trapping.
    static func rebuild(_ checkpoint: PolicyCheckpoint, url: URL) throws(AgentError) -> any Policy {
        switch checkpoint.kind {
        case QNetworkPolicy.kind where checkpoint.structure["torso"] != nil:
            return QNetworkPolicy(network: try convolutional(checkpoint.tensors, checkpoint.structure, url: url))
        case CategoricalPolicy.kind where checkpoint.structure["torso"] != nil:
            return CategoricalPolicy(network: try convolutional(checkpoint.tensors, checkpoint.structure, url: url))
        case QNetworkPolicy.kind: return QNetworkPolicy(network: try network(checkpoint.tensors, checkpoint.structure, url: url))
        case CategoricalPolicy.kind: return CategoricalPolicy(network: try network(checkpoint.tensors, checkpoint.structure, url: url))
        case "q_table": return try table(checkpoint.tensors, checkpoint.structure, url: url)
        case "continuous_actor": return try actor(checkpoint.tensors, checkpoint.structure, url: url)
        default: throw AgentError(.policyFile, "\(url.path): unknown policy kind \(checkpoint.kind)")
        }
    }

    /// Where the JSON copy of `url`'s metadata goes.
    public static func sidecar(of url: URL) -> URL { URL(fileURLWithPath: url.path + ".json") }

    private static func network(_ tensors: [String: Tensor], _ structure: [String: MetadataValue], url: URL,
                                outputActivation: Activation = .identity) throws(AgentError) -> MLP {
        var layers: [Dense] = []
        while let weight = tensors["\(2 * layers.count).weight"] {
            guard weight.rank == 2 else { throw AgentError(.policyFile, "\(url.path): layer \(layers.count) weight is not 2-D") }
            guard weight.shape[0] >= 1, weight.shape[1] >= 1 else {
                throw AgentError(.policyFile, "\(url.path): layer \(layers.count) weight has an empty shape \(weight.shape)")
            }
            let bias = tensors["\(2 * layers.count).bias"]
            guard bias.map({ $0.shape == [weight.shape[0]] }) ?? true,
                  layers.last.map({ $0.outputSize == weight.shape[1] }) ?? true else {
                throw AgentError(.policyFile, "\(url.path): layer \(layers.count) does not fit the one before")
            }
            layers.append(Dense(weight: weight, bias: bias))
        }
        guard !layers.isEmpty, layers.count * 2 >= tensors.count else {
            throw AgentError(.policyFile, "\(url.path): expected tensors 0.weight, 0.bias, 2.weight, ... of an nn.Sequential")
        }
        guard case .string(let name) = structure["activation"] ?? .string("relu"), let activation = Activation(hyperparameterText: name) else {
            throw AgentError(.policyFile, "\(url.path): unknown activation \(structure["activation"]?.description ?? "")")
        }
        return MLP(layers: layers, activation: activation, outputActivation: outputActivation)
    }

    /// A `ConvolutionalNetwork`: the structure names the torso, the image reading and the
    /// activation; the file must hold at least the torso's floats before one is built (so a
    /// hostile structure cannot ask for more memory than the file itself takes), and its dense
    /// layers `head.0`, `head.2`, … must chain from the torso's features.
    private static func convolutional(_ tensors: [String: Tensor], _ structure: [String: MetadataValue],
                                      url: URL) throws(AgentError) -> ConvolutionalNetwork {
        guard let design = ConvolutionalTorso(structure: structure) else {
            throw AgentError(.policyFile, "\(url.path): a convolutional network needs torso (minatar or nature), image_shape "
                             + "[C, H, W], image_layout and image_divisor (1 or 255) in its structure")
        }
        guard case .string(let name) = structure["activation"] ?? .string("relu"), let activation = Activation(hyperparameterText: name) else {
            throw AgentError(.policyFile, "\(url.path): unknown activation \(structure["activation"]?.description ?? "")")
        }
        let floats = tensors.values.reduce(0) { $0 + $1.count }
        guard let torsoCount = design.parameterCount(), torsoCount <= floats else {
            throw AgentError(.policyFile, "\(url.path): the tensors are too few for a \(design.kind.rawValue) torso on \(design.image.shape) images")
        }
        var rng = SeededRNG(seed: 0)
        let torso = try design.build(rng: &rng)
        let torsoTensors = tensors.filter { $0.key.hasPrefix("torso.") }
        do {
            try torso.load(stateDict: Dictionary(uniqueKeysWithValues: torsoTensors.map { (String($0.key.dropFirst("torso.".count)), $0.value) }))
        } catch {
            throw AgentError(.policyFile, "\(url.path): torso: \(error.message)")
        }
        var layers: [Dense] = []
        while let weight = tensors["head.\(2 * layers.count).weight"] {
            let bias = tensors["head.\(2 * layers.count).bias"]
            guard weight.rank == 2, weight.shape[0] >= 1, weight.shape[1] == (layers.last?.outputSize ?? torso.outputSize),
                  bias.map({ $0.shape == [weight.shape[0]] }) ?? true else {
                throw AgentError(.policyFile, "\(url.path): head layer \(layers.count) does not fit the one before")
            }
            layers.append(Dense(weight: weight, bias: bias))
        }
        let used = torsoTensors.count + layers.reduce(0) { $0 + $1.namedParameters.count }
        guard !layers.isEmpty, used == tensors.count else {
            throw AgentError(.policyFile, "\(url.path): expected torso.* tensors and head.0.weight, head.0.bias, head.2.weight, …")
        }
        return ConvolutionalNetwork(design: design, torso: torso, layers: layers, activation: activation)
    }

    private static func actor(_ tensors: [String: Tensor], _ structure: [String: MetadataValue], url: URL) throws(AgentError) -> ContinuousActorPolicy {
        guard case .string(let name) = structure["output_activation"] ?? .string("tanh"),
              let output = ContinuousActorPolicy.outputActivations[name] else {
            throw AgentError(.policyFile, "\(url.path): unknown output activation \(structure["output_activation"]?.description ?? "")")
        }
        let mlp = try network(tensors, structure, url: url, outputActivation: output)
        func floats(_ key: String) -> [Float]? { doubles(structure[key])?.map { Float($0) } }
        guard let center = floats("observation_center"), let halfWidth = floats("observation_half_width"),
              let low = floats("action_low"), let high = floats("action_high"),
              center.count == mlp.sizes.first, halfWidth.count == center.count, halfWidth.allSatisfy({ $0 != 0 && $0.isFinite }),
              low.count == mlp.sizes.last, high.count == low.count, zip(low, high).allSatisfy({ $0 < $1 }) else {
            throw AgentError(.policyFile, "\(url.path): a continuous_actor needs observation_center, observation_half_width, "
                             + "action_low and action_high in its structure, sized to the network")
        }
        var clip: Float?
        if let saved = structure["observation_clip"] {
            // A whole clip (10) reads back from JSON as an integer.
            let value: Double? = switch saved { case .double(let value): value; case .int(let value): Double(value); default: nil }
            guard let value, value > 0, value.isFinite, Float(value).isFinite else {
                throw AgentError(.policyFile, "\(url.path): observation_clip must be a positive finite number")
            }
            clip = Float(value)
        }
        return ContinuousActorPolicy(network: mlp, observationScaling: BoxScaling(center: center, halfWidth: halfWidth, clip: clip),
                                     actionLow: low, actionHigh: high)
    }

    /// Most observation features a q_table may discretise.
    static let maxTableDimensions = 64

    private static func table(_ tensors: [String: Tensor], _ structure: [String: MetadataValue], url: URL) throws(AgentError) -> QTablePolicy {
        // The bins come from the file: their product must not overflow and must be the table's
        // rows (so it is bounded by the file's size) before anything is built from them.
        guard let values = tensors["q_table"], values.rank == 2, values.shape[1] >= 1 else {
            throw AgentError(.policyFile, "\(url.path): needs a q_table tensor of shape [states, actions] with at least one action")
        }
        func product(_ counts: [Int]) -> Int? {
            counts.reduce(Optional(1)) { product, count in product.flatMap { $0.multipliedReportingOverflow(by: count).overflow ? nil : $0 * count } }
        }
        if case .ints(let radices) = structure["radices"] {
            // A table indexed by discrete observations: its digits' radices, at most maxStates rows.
            guard !radices.isEmpty, radices.count <= ObservationEncoding.maxStates, radices.allSatisfy({ $0 >= 1 }),
                  product(radices) == values.shape[0], values.shape[0] <= ObservationEncoding.maxStates else {
                throw AgentError(.policyFile, "\(url.path): the q_table's radices must be positive counts whose product is its "
                                 + "\(values.shape[0]) rows (at most \(ObservationEncoding.maxStates))")
            }
            return QTablePolicy(states: .indexed(radices: radices), actionCount: values.shape[1], values: values.data)
        }
        guard case .ints(let bins) = structure["bins"], !bins.isEmpty, bins.count <= maxTableDimensions, bins.allSatisfy({ $0 >= 1 }),
              product(bins) == values.shape[0] else {
            throw AgentError(.policyFile, "\(url.path): the q_table's bins must be 1...\(maxTableDimensions) positive counts whose product is its \(values.shape[0]) rows")
        }
        guard let low = doubles(structure["low"]), let high = doubles(structure["high"]),
              let discretizer = StateDiscretizer(bins: bins, low: low, high: high) else {
            throw AgentError(.policyFile, "\(url.path): the q_table needs bins, low and high in its structure")
        }
        return QTablePolicy(discretizer: discretizer, actionCount: values.shape[1], values: values.data)
    }

    /// Whole-number ranges (e.g. `[-2, 2]`) come back from JSON as ints.
    private static func doubles(_ value: MetadataValue?) -> [Double]? {
        switch value {
        case .doubles(let values): return values
        case .ints(let values): return values.map(Double.init)
        default: return nil
        }
    }

    private static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    private static func json(_ metadata: PolicyMetadata, pretty: Bool) throws(AgentError) -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(metadata), as: UTF8.self)
        } catch {
            throw AgentError(.io, "cannot encode policy metadata: \(error)")
        }
    }
}
