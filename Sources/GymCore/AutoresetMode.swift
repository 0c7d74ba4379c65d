/// What happens when one environment of a batch ends its episode (Gymnasium 1.x's modes).
public enum AutoresetMode: String, Sendable, CaseIterable {
    /// The next step resets that environment and returns the reset observation with reward 0;
    /// its action is ignored. The final observation was returned by the step that ended.
    case nextStep
    /// The ending step resets at once; its final observation is returned separately.
    case sameStep
    /// No autoreset: stepping an ended environment is an error until `reset`.
    case disabled
}
