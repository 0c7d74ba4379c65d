import ArgumentParser

/// Options `gym train reinforce`, `a2c` and `ppo` share; each shows its own algorithm's defaults.
struct PolicyGradientOptions<Settings: PolicyGradientSettings>: ParsableArguments {
    @Option(help: "Weight of the entropy bonus.")
    var entropyCoefficient = Settings().entropyCoefficient

    @Option(help: "Clip gradients to this global L2 norm (0: no clipping).")
    var maxGradNorm = Settings().maxGradNorm ?? 0

    @Option(help: ArgumentHelp("Hidden layer widths, comma-separated.", valueName: "list"))
    var hiddenSizes = NumberList(Settings().hiddenSizes)

    @Option(help: "Hidden-layer activation: relu, tanh, elu or sigmoid.")
    var activation = Settings().activation

    @Flag(inversion: .prefixedNo, help: "Scale observation features with finite bounds to [-1, 1].")
    var scaleObservations = Settings().scaleObservations

    @Option(help: "Training episodes whose mean return prompts a greedy validation.")
    var solveWindow = Settings().solveWindow

    @Option(help: "Greedy episodes per validation (0: no early stopping).")
    var validationEpisodes = Settings().validationEpisodes

    @Option(help: "Validate once the recent mean is within this fraction of the reward threshold.")
    var validationMargin = Settings().validationMargin

    /// Writes these options into `settings`.
    func apply(to settings: inout Settings) {
        settings.entropyCoefficient = entropyCoefficient
        settings.maxGradNorm = maxGradNorm > 0 ? maxGradNorm : nil
        settings.hiddenSizes = hiddenSizes.values
        settings.activation = activation
        settings.scaleObservations = scaleObservations
        settings.solveWindow = solveWindow
        settings.validationEpisodes = validationEpisodes
        settings.validationMargin = validationMargin
    }
}
