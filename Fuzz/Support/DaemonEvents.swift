// Seeds of the event and recording harnesses: real events from the daemon's own request path.
import ClassicControl
import Foundation
import GymCore
import GymProtocol
import GymServer

/// Events as the daemon publishes them, made without sockets.
public enum DaemonEvents {
    /// The events the daemon's own request handling (router, worker, event encoding) produces for
    /// one client's batch: make, a seeded reset, `steps` steps of `actions`, then close.
    public static func frames(env: String, numEnvs: UInt32, autoreset: AutoresetMode, steps: Int, action: (Int) -> NDArray) throws -> [[UInt8]] {
        var registry = EnvRegistry()
        try ClassicControl.register(into: &registry)
        let router = RequestRouter(configuration: DaemonConfiguration(bind: "inproc://fuzz", workers: 1, registry: registry))
        let worker = EnvWorker(registry: registry)
        var frames: [[UInt8]] = []
        var handle: UInt64 = 0
        func send(_ body: Gym_V1_Request.OneOf_Body, seeds: [UInt64]? = nil) throws {
            let request: [UInt8] = try Gym_V1_Request.with { $0.id = UInt64(frames.count + 1); $0.body = body }.serializedBytes()
            guard case .dispatch(_, let job) = router.route(client: ClientID([1, 2, 3]), frames: [request], now: 0) else { return }
            let response = try Gym_V1_Response(serializedBytes: worker.execute(job).frames?.last ?? [])
            if case .make(let reply)? = response.body { handle = reply.handle }
            if let event = EventEncoding.event(for: job, response: response, resetSeeds: seeds) {
                frames.append(EventEncoding.sequencePrefix(UInt64(frames.count + 1)) + event)
            }
        }
        try send(.make(.with { $0.envID = env; $0.numEnvs = numEnvs; $0.seed = 1; $0.autoreset = autoreset.wire }))
        try send(.reset(.with { $0.handle = handle; $0.seeds = [5] }), seeds: (0..<UInt64(numEnvs)).map { 5 + $0 })
        for t in 0..<steps {
            try send(.step(.with { $0.handle = handle; $0.actions = [Gym_V1_Tensor(action(t))] }))
        }
        try send(.close(.with { $0.handle = handle }))
        return frames
    }
}
