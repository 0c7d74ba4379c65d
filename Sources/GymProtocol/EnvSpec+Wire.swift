import GymCore

extension Gym_V1_EnvSpec {
    /// The wire form of a registry entry.
    public init(_ spec: EnvSpec) {
        self.init()
        id = spec.id
        observationSpace = Gym_V1_Space(spec.observationSpace)
        actionSpace = Gym_V1_Space(spec.actionSpace)
        maxEpisodeSteps = Int32(spec.maxEpisodeSteps ?? 0)
        if let threshold = spec.rewardThreshold { rewardThreshold = threshold }
        kwargs = spec.kwargs.wire
        renderWidth = Int32(spec.renderSize?.width ?? 0)
        renderHeight = Int32(spec.renderSize?.height ?? 0)
        description_p = spec.description
    }

    /// A spec for a remote environment; its factory refuses, since the daemon builds instances.
    public func envSpec() throws -> EnvSpec {
        let id = self.id
        return EnvSpec(
            id: id, observationSpace: try observationSpace.space(), actionSpace: try actionSpace.space(),
            maxEpisodeSteps: maxEpisodeSteps > 0 ? Int(maxEpisodeSteps) : nil,
            rewardThreshold: hasRewardThreshold ? rewardThreshold : nil,
            kwargs: try kwargs.valueMap(),
            renderSize: renderWidth > 0 && renderHeight > 0 ? (Int(renderWidth), Int(renderHeight)) : nil,
            description: description_p
        ) { _ in throw GymError(.notSupported, "\(id) is served by a daemon: make it through a client") }
    }
}

extension AutoresetMode {
    /// The wire enum for this mode.
    public var wire: Gym_V1_AutoresetMode {
        switch self {
        case .nextStep: return .nextStep
        case .sameStep: return .sameStep
        case .disabled: return .disabled
        }
    }

    /// The mode a wire enum names, nil for unknown values.
    public init?(wire: Gym_V1_AutoresetMode) {
        switch wire {
        case .nextStep: self = .nextStep
        case .sameStep: self = .sameStep
        case .disabled: self = .disabled
        case .UNRECOGNIZED: return nil
        }
    }
}
