import Foundation
import NeuralNet

/// Early stopping and keep-best, for every algorithm that has them: greedy validations once
/// recent training returns come near the reward threshold, a stop when one reaches it, and at
/// the end the best validated `Snapshot` if the final policy validates worse.
///
/// Policies are validated as they would be saved, so a validation measures exactly what the
/// run would report. A `Snapshot` is whatever restores a validated policy: the policy itself
/// for the policy-gradient methods, a network's weights for DQN, a Q table's values.
final class PolicyValidation<Snapshot> {
    private let session: TrainingSession
    private let subject: String
    private var check: SolveCheck<Snapshot>

    /// Validates `episodes` greedy episodes once the mean of the last `window` training episodes
    /// is within `margin` (a fraction of the threshold's size) of the threshold; `subject` names
    /// what a snapshot holds in the note that keeps it ("policy", "network", "table").
    init(session: TrainingSession, window: Int, episodes: Int, margin: Double = 0, subject: String = "policy") {
        self.session = session
        self.subject = subject
        let threshold = session.spec.rewardThreshold
        check = SolveCheck(threshold: threshold, window: window, validationEpisodes: episodes,
                           trigger: threshold.map { $0 - margin * abs($0) })
    }

    /// Whether validations can happen at all (a threshold to reach and episodes to play).
    var isEnabled: Bool { check.threshold != nil && check.validationEpisodes > 0 }

    /// The training episodes the recent mean covers.
    var window: Int { check.window }

    /// Whether a validation is due `episodes` training episodes in, with `recentMean` over the
    /// last `window` of them; a due answer counts as a validation for the spacing of the next.
    func isDue(episodes: Int, recentMean: Double?) -> Bool {
        check.due(episodes: episodes, recentMean: recentMean)
    }

    /// Validates `policy` now; true when it reached the threshold (stop training). `snapshot`
    /// is taken only when the validation is the best so far.
    func validate(_ policy: any Policy, step: Int, snapshot: () -> Snapshot) throws -> Bool {
        let validation = try session.validate(policy, episodes: check.validationEpisodes, step: step)
        return check.record(mean: validation.mean, snapshot: snapshot)
    }

    /// Validates when due by the training monitor's episodes; true when the policy reached the
    /// threshold (stop training).
    func solved(step: Int, policy: () -> any Policy, snapshot: (any Policy) -> Snapshot) throws -> Bool {
        guard isDue(episodes: session.monitor.episodes, recentMean: session.monitor.recentMean(check.window)) else { return false }
        let candidate = policy()
        return try validate(candidate, step: step) { snapshot(candidate) }
    }

    /// After training ended unsolved at `step`: the best earlier snapshot if it validated better
    /// than `final` validates now, else nil (keep the final policy).
    func better(than final: any Policy, step: Int) throws -> Snapshot? {
        guard let best = check.best else { return nil }
        let validation = try session.validate(final, episodes: check.validationEpisodes, step: step)
        guard best.mean > validation.mean else { return nil }
        session.monitor.note("keeping the \(subject) that validated at " + String(format: "%.2f", best.mean))
        return best.snapshot
    }
}

extension PolicyValidation {
    /// Tracks the validations in a run's state: their counters, and the best snapshot as a
    /// policy checkpoint (`encode`), rebuilt on restore by `decode`, which checks it.
    func track(in state: RunState, encode: @escaping (Snapshot) -> PolicyCheckpoint,
               decode: @escaping (PolicyCheckpoint) throws -> Snapshot) {
        state.track("validation", save: { [unowned self] in
            let best = check.best.map { encode($0.snapshot) }
            return (SavedValidation(counters: check.counters, kind: best?.kind, structure: best?.structure), best?.tensors ?? [:])
        }, restore: { [unowned self] (saved: SavedValidation, tensors: [String: Tensor]) in
            guard saved.counters.validations >= 0, (saved.counters.bestMean == nil) == (saved.kind == nil) else {
                throw RunStateError("has validation counters that disagree")
            }
            var snapshot: Snapshot?
            if let kind = saved.kind {
                do {
                    snapshot = try decode(PolicyCheckpoint(kind: kind, tensors: tensors, structure: saved.structure ?? [:]))
                } catch {
                    throw RunStateError("has a best validated \(subject) that does not fit: \(error)")
                }
            }
            check.restore(saved.counters, snapshot: snapshot)
        })
    }
}

extension PolicyValidation where Snapshot == [String: Tensor] {
    /// Tracks the validations of a network whose snapshots are its state dicts.
    func track(in state: RunState, network: some Module) {
        track(in: state, encode: { PolicyCheckpoint(kind: "state_dict", tensors: $0, structure: [:]) }, decode: { checkpoint in
            let expected = network.stateDict()
            guard checkpoint.tensors.count == expected.count,
                  expected.allSatisfy({ checkpoint.tensors[$0.key]?.shape == $0.value.shape }) else {
                throw RunStateError("its tensors are not the network's")
            }
            return checkpoint.tensors
        })
    }

    /// The best validated network as a policy, made by `policy` from a copy loaded with the
    /// best state dict (nil when there was no validation).
    func bestPolicy(_ network: MLP, _ policy: (MLP) -> any Policy) -> (any Policy)? {
        guard let best = check.best else { return nil }
        let copy = MLP(layers: network.layers.map { Dense(weight: $0.weight.value, bias: $0.bias?.value) }, activation: network.activation, outputActivation: network.outputActivation)
        guard (try? copy.load(stateDict: best.snapshot)) != nil else { return nil }
        return policy(copy)
    }

    /// The best validated scoring network (an `MLP` or a convolutional one) as a policy.
    func bestPolicy(_ network: any ScoringNetwork, _ policy: (any ScoringNetwork) -> any Policy) -> (any Policy)? {
        guard let best = check.best else { return nil }
        let copy = network.copied()
        guard (try? copy.load(stateDict: best.snapshot)) != nil else { return nil }
        return policy(copy)
    }
}

extension PolicyValidation where Snapshot == any Policy {
    /// Tracks the validations of policies kept whole.
    func track(in state: RunState) {
        track(in: state, encode: { $0.checkpoint }, decode: { try PolicyFile.rebuild($0, url: URL(fileURLWithPath: "state.safetensors")) })
    }

    /// The best validated policy, or nil.
    var bestPolicy: (any Policy)? { check.best?.snapshot }

    /// Validates `episodes` greedy episodes near the threshold, keeping validated policies themselves.
    convenience init(session: TrainingSession, window: Int, episodes: Int, margin: Double) {
        self.init(session: session, window: window, episodes: episodes, margin: margin, subject: "policy")
    }

    /// Validates when due; true when the policy reached the threshold (stop training).
    func solved(step: Int, policy: () -> any Policy) throws -> Bool {
        try solved(step: step, policy: policy, snapshot: { $0 })
    }

    /// The policy to keep after training ended unsolved at `step`: the final one, unless an
    /// earlier validation did better than the final policy validates now.
    func keep(_ final: any Policy, step: Int) throws -> any Policy {
        try better(than: final, step: step) ?? final
    }
}

/// What a checkpoint keeps of a `PolicyValidation`: its counters and the best snapshot's kind
/// and structure (its tensors go beside).
private struct SavedValidation: Codable {
    var counters: SolveCheckCounters
    var kind: String?
    var structure: [String: MetadataValue]?
}
