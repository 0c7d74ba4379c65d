import Agents
import ArgumentParser

/// Options DDPG, TD3 and SAC share.
struct OffPolicyOptions: ParsableArguments {
    private static let defaults = OffPolicyArguments()

    @Option(help: "Environments stepped side by side.")
    var numEnvs = defaults.numEnvs

    @Option(help: "Environment steps, all environments together.")
    var totalSteps = defaults.totalSteps

    @Option(help: "Transitions the replay buffer holds.")
    var bufferSize = defaults.bufferSize

    @Option(help: "Transitions per gradient step.")
    var batchSize = defaults.batchSize

    @Option(help: "Discount factor γ.")
    var gamma = defaults.gamma

    @Option(help: "Target networks' Polyak rate: θ' ← τθ + (1−τ)θ' at each target update (every gradient step; TD3: every actor step).")
    var tau = defaults.tau

    @Option(help: "Environment steps of uniformly random actions before learning starts.")
    var learningStarts = defaults.learningStarts

    @Option(help: "Gradient steps per environment step.")
    var updatesPerStep = defaults.updatesPerStep

    @Option(help: ArgumentHelp("Hidden layer widths of actor and critics, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(defaults.hiddenSizes)

    @Flag(inversion: .prefixedNo, help: "Scale observations with finite bounds into [-1, 1].")
    var normalizeObservations = defaults.normalizeObservations

    /// The settings.
    var arguments: OffPolicyArguments {
        var common = OffPolicyArguments()
        common.numEnvs = numEnvs
        common.totalSteps = totalSteps
        common.bufferSize = bufferSize
        common.batchSize = batchSize
        common.gamma = gamma
        common.tau = tau
        common.learningStarts = learningStarts
        common.updatesPerStep = updatesPerStep
        common.hiddenSizes = hiddenSizes.values
        common.normalizeObservations = normalizeObservations
        return common
    }
}
