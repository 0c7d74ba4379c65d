/// One environment instance: Gymnasium's `reset` and `step`, writing into caller-owned buffers
/// so the step path allocates nothing.
///
/// Observations and actions are raw little-endian bytes laid out as the spec's spaces describe
/// (`Space.byteCount` bytes each). Time limits and autoreset are not the environment's business:
/// `EnvBatch` applies them from the registry.
public protocol Environment: AnyObject {
    /// Starts an episode. A seed reseeds the generator; nil continues its stream
    /// (or seeds from entropy on the very first reset). Returns the reset info.
    func reset(seed: UInt64?, options: ValueMap, observation: UnsafeMutableRawBufferPointer) throws -> ValueMap

    /// Applies an action that already lies in the action space, writing the next observation.
    func step(action: UnsafeRawBufferPointer, observation: UnsafeMutableRawBufferPointer) throws -> StepResult

    /// Draws the current state.
    func render() throws -> RGBFrame
}

extension Environment {
    /// Environments without a renderer report `notSupported`.
    public func render() throws -> RGBFrame {
        throw GymError(.notSupported, "\(type(of: self)) cannot render")
    }
}
