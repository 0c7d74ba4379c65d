import ArgumentParser

/// Options `gym train td3` and `sac` share: the off-policy ones and one learning rate for the
/// actor and one for both critics; each command shows its own algorithm's defaults.
struct TwinCriticOptions<Settings: TwinCriticSettings>: ParsableArguments {
    @OptionGroup var offPolicy: OffPolicyOptions

    @Option(name: .customLong("actor-lr"), help: "The actor's Adam learning rate.")
    var actorLearningRate = Settings().actorLearningRate

    @Option(name: .customLong("critic-lr"), help: "The critics' Adam learning rate.")
    var criticLearningRate = Settings().criticLearningRate

    /// Writes these options into `settings`.
    func apply(to settings: inout Settings) {
        settings.common = offPolicy.arguments
        settings.actorLearningRate = actorLearningRate
        settings.criticLearningRate = criticLearningRate
    }
}
